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
-- Each triangle is found once by orienting every edge from the lower to the higher degree
-- (then name), which keeps the work near m^1.5 instead of one row per pair of partners.
forward as (
    select e.handle as u, e.partner as v
    from edges e
    join degree du on du.handle = e.handle
    join degree dv on dv.handle = e.partner
    where du.partners < dv.partners or (du.partners = dv.partners and e.handle < e.partner)
),
triangles as (
    select f1.u, f1.v, f2.v as w
    from forward f1
    join forward f2 on f2.u = f1.u and f2.v <> f1.v
    join forward f3 on f3.u = f1.v and f3.v = f2.v
),
closed as (
    select handle, count(*) as connected_pairs
    from (select u as handle from triangles
          union all select v from triangles
          union all select w from triangles)
    group by handle
),
pair_ties as (
    select d.handle,
           d.partners * (d.partners - 1) // 2 as partner_pairs,
           coalesce(c.connected_pairs, 0) as connected_pairs
    from degree d
    left join closed c on c.handle = d.handle
    where d.partners >= 2
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
