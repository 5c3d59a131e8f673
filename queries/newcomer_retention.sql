-- title: Newcomers and retention by first year
-- description: Cohorts of a chat by the year of each participant's first post (in the chat's time
--   zone): how many newcomers each year brought, how many took part again the next year (retention),
--   and how many were still posting in the chat's latest year. Every year with posts has a row,
--   even one that brought no newcomers.
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
),
years as (
    select distinct year from active
)
select y.year as first_year,
       count(c.author) as newcomers,
       count(n.author) as returned_next_year,
       case when y.year < latest.year and count(c.author) > 0
            then round(count(n.author) / count(c.author), 3) end as retention,
       count(l.author) as active_in_latest_year,
       (select count(distinct a.author) from active a where a.year = y.year) as participants
from years y
cross join latest
left join cohort c on c.first_year = y.year
left join active n on n.author = c.author and n.year = y.year + 1
left join active l on l.author = c.author and l.year = latest.year
group by y.year, latest.year
order by y.year;
