-- title: Newcomers and retention by first year
-- description: Cohorts of a chat by the year of each participant's first post (in the chat's time
--   zone): how many newcomers each year brought, how many took part again the next year (retention),
--   and how many were still posting in the chat's latest year.
-- params: chat
with chat as (
    select coalesce(timezone, 'UTC') as tz from chats where chat_id = $chat
),
active as (
    select distinct coalesce(p.author_id, lower(p.author_handle)) as author,
           year(p.created_at at time zone chat.tz) as year
    from posts p
    cross join chat
    where p.chat_id = $chat
),
cohort as (
    select author, min(year) as first_year from active group by author
),
latest as (
    select max(year) as year from active
)
select c.first_year,
       count(*) as newcomers,
       count(n.author) as returned_next_year,
       case when c.first_year < latest.year
            then round(count(n.author) / count(*), 3) end as retention,
       count(l.author) as active_in_latest_year,
       (select count(distinct a.author) from active a where a.year = c.first_year) as participants
from cohort c
cross join latest
left join active n on n.author = c.author and n.year = c.first_year + 1
left join active l on l.author = c.author and l.year = latest.year
group by c.first_year, latest.year
order by c.first_year;
