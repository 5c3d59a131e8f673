-- title: Cohort activity over the years
-- description: For each cohort (participants grouped by the year of their first post in the chat)
--   and each later year: how many of them posted that year and what share of the cohort that is.
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
join active a on a.author = c.author
join sizes sz on sz.first_year = c.first_year
group by c.first_year, a.year
order by c.first_year, a.year;
