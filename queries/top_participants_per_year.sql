-- title: Top participants per year
-- description: The most active accounts of each year of a chat (years in the chat's time zone),
--   ranked by posts that are not retweets; with their retweets, sessions attended and the
--   interactions they received from others.
-- params: chat, limit=10
with chat as (
    select coalesce(timezone, 'UTC') as tz from chats where chat_id = $chat
),
chat_posts as (
    select coalesce(p.author_id, lower(p.author_handle)) as author, p.author_handle, p.created_at,
           p.is_retweet, year(p.created_at at time zone chat.tz) as year, t.session_id
    from posts p
    cross join chat
    left join post_threads t on t.post_id = p.post_id and t.chat_id = p.chat_id
    where p.chat_id = $chat
),
received as (
    select year(i.created_at at time zone chat.tz) as year,
           coalesce(i.target_id, lower(i.target_handle)) as author,
           count(*) as received
    from interactions i
    cross join chat
    where i.chat_id = $chat
      and coalesce(i.target_id, lower(i.target_handle))
          <> coalesce(i.source_id, lower(i.source_handle))
    group by all
),
per_author as (
    select year,
           author,
           arg_max(author_handle, created_at) as handle,
           count(*) filter (where not is_retweet) as posts,
           count(*) filter (where is_retweet) as retweets,
           count(distinct session_id) as sessions
    from chat_posts
    group by year, author
)
select a.year,
       rank() over (partition by a.year order by a.posts desc) as rank,
       a.handle,
       a.posts,
       a.retweets,
       a.sessions,
       coalesce(r.received, 0) as interactions_received
from per_author a
left join received r on r.year = a.year and r.author = a.author
qualify rank <= cast($limit as integer)
order by a.year, rank, a.handle;
