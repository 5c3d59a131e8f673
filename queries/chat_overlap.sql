-- title: Accounts shared by two chats
-- description: The accounts that posted in both chats, with their posts and first post in each and
--   the chat they joined first, most active first.
-- params: chat, other_chat
with first_chat as (
    select coalesce(author_id, lower(author_handle)) as author,
           arg_max(author_handle, created_at) as handle,
           count(*) as posts,
           min(created_at) as first_post
    from posts
    where chat_id = $chat
    group by 1
),
second_chat as (
    select coalesce(author_id, lower(author_handle)) as author,
           count(*) as posts,
           min(created_at) as first_post
    from posts
    where chat_id = $other_chat
    group by 1
)
select a.handle,
       a.posts as posts_in_chat,
       b.posts as posts_in_other_chat,
       a.first_post as first_in_chat,
       b.first_post as first_in_other_chat,
       case when a.first_post <= b.first_post then $chat else $other_chat end as joined_first
from first_chat a
join second_chat b on b.author = a.author
order by a.posts + b.posts desc, a.handle;
