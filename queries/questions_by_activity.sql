-- title: Questions by activity
-- description: The questions of a chat ranked by how many posts answered them: answers (posts
--   other than retweets), retweets, distinct participants and replies in each question's thread.
-- params: chat, limit=20
select s.local_date,
       q.session_id,
       q.number as question,
       q.text,
       count(p.post_id) filter (where not p.is_retweet and p.post_id <> q.post_id) as answers,
       count(p.post_id) filter (where p.is_retweet) as retweets,
       count(p.post_id) filter (where p.reply_to_post_id is not null and not p.is_retweet) as replies,
       count(distinct coalesce(p.author_id, lower(p.author_handle))) as participants
from questions q
join sessions s on s.session_id = q.session_id
left join post_threads t
       on t.session_id = q.session_id and t.question = q.number and t.chat_id = s.chat_id
left join posts p on p.post_id = t.post_id
where s.chat_id = $chat
group by all
order by answers desc, participants desc, s.local_date, question
limit cast($limit as integer);
