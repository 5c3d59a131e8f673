-- title: Session summary
-- description: One row per session of a chat: when it ran, how many posts, participants and
--   questions it had, how many active participants (wrote a post that is not a retweet) were
--   newcomers (active for the first time in the chat; the same figure as `chatgraph growth --by
--   session --by-account`: accounts are lower-cased handles), and how much of it was retweets and
--   replies.
-- params: chat
with chat_posts as (
    select p.post_id, lower(coalesce(p.author_handle, a.handle)) as author,
           p.is_retweet, p.reply_to_post_id, t.session_id
    from posts p
    join post_threads t on t.post_id = p.post_id and t.chat_id = p.chat_id
    left join accounts a
      on p.author_handle is null and a.platform = p.platform and a.account_id = p.author_id
    where p.chat_id = $chat and t.session_id is not null
),
first_session as (
    select author, arg_min(s.session_id, s.starts_at) as session_id
    from chat_posts cp
    join sessions s on s.session_id = cp.session_id and s.chat_id = $chat
    where not cp.is_retweet and cp.author is not null
    group by author
),
per_session as (
    select session_id,
           count(*) filter (where is_retweet) as retweets,
           count(*) filter (where reply_to_post_id is not null and not is_retweet) as replies,
           count(distinct author) filter (where not is_retweet) as active_participants
    from chat_posts
    group by session_id
)
select s.session_id,
       s.local_date,
       s.starts_at,
       s.ends_at,
       s.posts,
       s.participants,
       coalesce(ps.active_participants, 0) as active_participants,
       (select count(*) from first_session f where f.session_id = s.session_id) as newcomers,
       (select count(*) from questions q where q.session_id = s.session_id) as questions,
       coalesce(ps.retweets, 0) as retweets,
       coalesce(ps.replies, 0) as replies
from sessions s
left join per_session ps on ps.session_id = s.session_id
where s.chat_id = $chat
order by s.starts_at;
