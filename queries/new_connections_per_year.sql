-- title: New connections per year
-- description: Pairs of accounts that first interacted (reply, mention or quote) in each year of a
--   chat, the running total of connections, how many new pairs involve that year's newcomers,
--   and how many interactions those new pairs have had since (all years).
-- params: chat
with chat as (
    select coalesce(timezone, 'UTC') as tz from chats where chat_id = $chat
),
first_year as (
    select lower(author_handle) as handle, min(year(p.created_at at time zone chat.tz)) as year
    from posts p
    cross join chat
    where p.chat_id = $chat and p.author_handle is not null
    group by all
)
select c.first_year,
       count(*) as new_connections,
       cast(sum(count(*)) over (order by c.first_year) as bigint) as total_connections,
       count(*) filter (where fa.year = c.first_year or fb.year = c.first_year)
           as with_a_newcomer,
       cast(sum(c.interactions) as bigint) as their_interactions_since
from connections c
left join first_year fa on fa.handle = lower(c.a_handle)
left join first_year fb on fb.handle = lower(c.b_handle)
where c.chat_id = $chat
group by c.first_year
order by c.first_year;
