-- title: Newcomers and retention by first year
-- description: Cohorts of a chat by the year each account first took part, counted as DESIGN.md
--   and `chatgraph growth --by-account` count them: a participant wrote a post of one of the
--   chat's sessions (its year is the session's local year), a newcomer is an active participant
--   (one post that is not a retweet) in their first year, and retention is the share of a year's
--   newcomers active again the next year. Accounts are lower-cased handles. A chat without
--   sessions yet counts all its posts by their local year. Every year with posts has a row, even
--   one that brought no newcomers.
-- params: chat
with placed as (
    select post_id, any_value(session_id) as session_id from post_threads
    where chat_id = $chat and session_id is not null group by post_id
),
in_sessions as (
    select year(s.local_date) as year, p.post_id, p.platform, p.author_id, p.author_handle,
           p.is_retweet
    from posts p
    join placed t on t.post_id = p.post_id
    join sessions s on s.chat_id = $chat and s.session_id = t.session_id
    where p.chat_id = $chat
),
taking_part as (
    select * from in_sessions
    union all
    select year(timezone(coalesce((select any_value(timezone) from chats where chat_id = $chat),
                                  'UTC'), p.created_at)),
           p.post_id, p.platform, p.author_id, p.author_handle, p.is_retweet
    from posts p
    where p.chat_id = $chat and p.created_at is not null
      and not exists (select 1 from in_sessions)
),
participation as (
    select distinct t.year, lower(coalesce(t.author_handle, a.handle)) as handle, t.is_retweet
    from taking_part t
    left join accounts a
      on t.author_handle is null and a.platform = t.platform and a.account_id = t.author_id
),
active as (
    select distinct year, handle from participation where handle is not null and not is_retweet
),
cohort as (
    select handle, min(year) as first_year from active group by handle
),
latest as (
    select max(year) as year from participation
),
years as (
    select year, count(distinct handle) as participants from participation group by year
)
select y.year as first_year,
       count(c.handle) as newcomers,
       count(n.handle) as returned_next_year,
       case when y.year < latest.year and count(c.handle) > 0
            then round(count(n.handle) / count(c.handle), 3) end as retention,
       count(l.handle) as active_in_latest_year,
       any_value(y.participants) as participants
from years y
cross join latest
left join cohort c on c.first_year = y.year
left join active n on n.handle = c.handle and n.year = y.year + 1
left join active l on l.handle = c.handle and l.year = latest.year
group by y.year, latest.year
order by y.year;
