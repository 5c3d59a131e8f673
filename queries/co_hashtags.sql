-- title: Hashtags used alongside the chat's
-- description: The other hashtags that a chat's own posts (not retweets) carry together with the
--   chat's hashtag: how many posts and accounts used each, its share of the chat's tagged posts,
--   and when it was first and last used.
-- params: chat, limit=25
with chat as (
    select chat_id, lower(ltrim(coalesce(hashtag, chat_id), '#')) as tag
    from chats
    where chat_id = $chat
),
tagged as (
    select p.post_id, p.created_at, coalesce(p.author_id, lower(p.author_handle)) as author
    from posts p
    cross join chat
    where p.chat_id = $chat
      and not p.is_retweet
      and exists (select 1 from hashtags h where h.post_id = p.post_id and h.tag = chat.tag)
)
select h.tag,
       count(distinct t.post_id) as posts,
       count(distinct t.author) as accounts,
       round(count(distinct t.post_id) / (select count(*) from tagged), 3) as share_of_posts,
       min(t.created_at) as first_used,
       max(t.created_at) as last_used
from tagged t
join hashtags h on h.post_id = t.post_id
cross join chat
where h.tag <> chat.tag and h.tag <> chat.chat_id
group by h.tag
order by posts desc, accounts desc, h.tag
limit cast($limit as integer);
