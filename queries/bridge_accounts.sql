-- title: Accounts that bridge otherwise unconnected people
-- description: A structural-holes proxy for bridging, not community detection (SQL has no Louvain):
--   for each account of a chat, its partners (accounts it is connected to), how many pairs of those
--   partners have no connection of their own (open pairs), the share of pairs that are connected
--   (local clustering) and Burt's effective size (partners minus their redundancy). Accounts with
--   many open pairs link people who would otherwise not be linked; use chatgraph graph or map for
--   real communities.
-- params: chat, min_partners=2
with edges as (
    select lower(a_handle) as handle, lower(b_handle) as partner
    from connections
    where chat_id = $chat and lower(a_handle) <> lower(b_handle)
    union
    select lower(b_handle), lower(a_handle)
    from connections
    where chat_id = $chat and lower(a_handle) <> lower(b_handle)
),
degree as (
    select handle, count(*) as partners from edges group by handle
),
pairs as (
    select e1.handle, e1.partner as x, e2.partner as y
    from edges e1
    join edges e2 on e2.handle = e1.handle and e1.partner < e2.partner
),
pair_ties as (
    select p.handle,
           count(*) as partner_pairs,
           count(t.partner) as connected_pairs
    from pairs p
    left join edges t on t.handle = p.x and t.partner = p.y
    group by p.handle
)
select d.handle,
       d.partners,
       pt.partner_pairs,
       pt.partner_pairs - pt.connected_pairs as open_pairs,
       round(pt.connected_pairs / pt.partner_pairs, 3) as clustering,
       round(d.partners - 2 * pt.connected_pairs / d.partners, 3) as effective_size
from degree d
join pair_ties pt on pt.handle = d.handle
where d.partners >= cast($min_partners as integer)
order by open_pairs desc, d.partners desc, d.handle;
