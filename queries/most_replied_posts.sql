-- title: Most replied-to posts
-- description: The posts of a chat that drew the most direct replies, with the quotes and retweets
--   they drew too, their author, time, text and the question thread they belong to.
-- params: chat, limit=20
with reactions as (
    select reply_to_post_id as post_id, 'reply' as kind, lower(author_handle) as handle
    from posts
    where chat_id = $chat and reply_to_post_id is not null and not is_retweet
    union all
    select quote_of_post_id, 'quote', lower(author_handle)
    from posts
    where chat_id = $chat and quote_of_post_id is not null and not is_retweet
    union all
    select retweet_of_post_id, 'retweet', lower(author_handle)
    from posts
    where chat_id = $chat and retweet_of_post_id is not null and is_retweet
),
counts as (
    select post_id,
           count(*) filter (where kind = 'reply') as replies,
           count(distinct handle) filter (where kind = 'reply') as repliers,
           count(*) filter (where kind = 'quote') as quotes,
           count(*) filter (where kind = 'retweet') as retweets
    from reactions
    group by post_id
)
select p.post_id,
       p.created_at,
       p.author_handle,
       r.replies,
       r.repliers,
       r.quotes,
       r.retweets,
       t.session_id,
       t.question,
       p.text
from counts r
join posts p on p.post_id = r.post_id and p.chat_id = $chat
left join post_threads t on t.post_id = p.post_id and t.chat_id = p.chat_id
where r.replies > 0
order by r.replies desc, r.repliers desc, p.created_at
limit cast($limit as integer);
