-- title: Reply depth and response time after each question
-- description: For each question of a chat: how deep the reply chains under the question post go
--   (a direct reply to the question is depth 1, a reply to that reply depth 2, ...), how many posts
--   those chains hold, how long until the first answer in the question's thread, and the median
--   time the replies in that thread took after the posts they answer (in seconds).
-- params: chat
with recursive chat_posts as (
    select post_id, reply_to_post_id, created_at, author_id, author_handle, is_retweet
    from posts
    where chat_id = $chat
),
tree(session_id, number, post_id, depth) as (
    select q.session_id, q.number, q.post_id, 0
    from questions q
    join sessions s on s.session_id = q.session_id
    where s.chat_id = $chat
    union all
    select tree.session_id, tree.number, cp.post_id, tree.depth + 1
    from tree
    join chat_posts cp on cp.reply_to_post_id = tree.post_id and not cp.is_retweet
    where tree.depth < 100
),
chains as (
    select session_id, number, max(depth) as max_reply_depth, count(*) - 1 as posts_in_reply_chains
    from tree
    group by session_id, number
),
thread_answers as (
    select q.session_id, q.number, q.asked_at, p.post_id, p.created_at,
           p.reply_to_post_id, p.author_handle
    from questions q
    join post_threads t
      on t.session_id = q.session_id and t.question = q.number and t.post_id <> q.post_id
    join posts p on p.post_id = t.post_id
    where t.chat_id = $chat and not p.is_retweet
),
answer_times as (
    select session_id, number,
           min(epoch(created_at - asked_at)) filter (where created_at >= asked_at)
               as seconds_to_first_answer,
           count(*) as answers
    from thread_answers
    group by session_id, number
),
reply_times as (
    select a.session_id, a.number,
           median(epoch(a.created_at - parent.created_at)) as median_reply_seconds
    from thread_answers a
    join posts parent on parent.post_id = a.reply_to_post_id
    where a.created_at >= parent.created_at
    group by a.session_id, a.number
)
select s.local_date,
       q.session_id,
       q.number as question,
       q.text,
       coalesce(ans.answers, 0) as answers,
       c.max_reply_depth,
       c.posts_in_reply_chains,
       ans.seconds_to_first_answer,
       rt.median_reply_seconds
from questions q
join sessions s on s.session_id = q.session_id
left join chains c on c.session_id = q.session_id and c.number = q.number
left join answer_times ans on ans.session_id = q.session_id and ans.number = q.number
left join reply_times rt on rt.session_id = q.session_id and rt.number = q.number
where s.chat_id = $chat
order by s.starts_at, q.number;
