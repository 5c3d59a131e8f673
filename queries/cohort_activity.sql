-- title: Cohort activity over the years
-- description: For each cohort (accounts grouped by their first year as active participants, the
--   newcomers of `newcomer_retention`) and each later year: how many of them were active
--   participants that year (wrote a post of one of its sessions that is not a retweet) and what
--   share of the cohort that is. Accounts are lower-cased handles, years the sessions' local years;
--   a chat without sessions yet counts all its posts by their local year.
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
active as (
    select distinct t.year, lower(coalesce(t.author_handle, a.handle)) as handle
    from taking_part t
    left join accounts a
      on t.author_handle is null and a.platform = t.platform and a.account_id = t.author_id
    where not t.is_retweet and coalesce(t.author_handle, a.handle) is not null
),
cohort as (
    select handle, min(year) as first_year from active group by handle
),
sizes as (
    select first_year, count(*) as cohort_size from cohort group by first_year
)
select c.first_year,
       a.year,
       a.year - c.first_year as years_since_first,
       count(*) as active,
       any_value(sz.cohort_size) as cohort_size,
       round(count(*) / any_value(sz.cohort_size), 3) as share_active
from cohort c
join active a on a.handle = c.handle
join sizes sz on sz.first_year = c.first_year
group by c.first_year, a.year
order by c.first_year, a.year;
