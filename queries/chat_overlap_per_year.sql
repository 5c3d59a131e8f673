-- title: Overlap between two chats per year
-- description: For each calendar year (UTC) in which either chat had posts: the participants of each
--   chat, how many took part in both, and the Jaccard overlap (shared / either).
-- params: chat, other_chat
with active as (
    select distinct chat_id,
           coalesce(author_id, lower(author_handle)) as author,
           year(created_at at time zone 'UTC') as year
    from posts
    where chat_id in ($chat, $other_chat)
)
select year,
       count(distinct author) filter (where chat_id = $chat) as in_chat,
       count(distinct author) filter (where chat_id = $other_chat) as in_other_chat,
       count(distinct author) filter (
           where chat_id = $chat
             and author in (select author from active o
                            where o.chat_id = $other_chat and o.year = a.year)
       ) as in_both,
       round(in_both / count(distinct author), 3) as jaccard
from active a
group by year
order by year;
