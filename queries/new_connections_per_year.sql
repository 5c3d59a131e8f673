-- title: New connections per year
-- description: Pairs of accounts that first interacted (reply, mention or quote) in each year of a
--   chat (the chat's local year), the running total of connections, how many new pairs involve
--   that year's newcomers (as `newcomer_retention` counts them: active participants of the year's
--   sessions for the first time, by lower-cased handle), and how many interactions those new pairs
--   have had since (all years).
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
first_year as (
    select lower(coalesce(t.author_handle, a.handle)) as handle, min(t.year) as year
    from taking_part t
    left join accounts a
      on t.author_handle is null and a.platform = t.platform and a.account_id = t.author_id
    where not t.is_retweet and coalesce(t.author_handle, a.handle) is not null
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
