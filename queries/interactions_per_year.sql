-- title: Interactions per year by kind
-- description: Replies, mentions, retweets and quotes in a chat per year (in the chat's time zone),
--   with the number of distinct accounts they came from and went to.
-- params: chat
with chat as (
    select coalesce(timezone, 'UTC') as tz from chats where chat_id = $chat
)
select year(i.created_at at time zone chat.tz) as year,
       count(*) filter (where i.kind = 'reply') as replies,
       count(*) filter (where i.kind = 'mention') as mentions,
       count(*) filter (where i.kind = 'retweet') as retweets,
       count(*) filter (where i.kind = 'quote') as quotes,
       count(distinct lower(i.source_handle)) as from_accounts,
       count(distinct lower(i.target_handle)) as to_accounts
from interactions i
cross join chat
where i.chat_id = $chat
group by all
order by year;
