-- ComfyGate store on PostgreSQL, version 12: what a follower needs to take the dispatcher lease
-- from a holder that died, before the lease runs out (see ClusterStore.steal). Times are the
-- database's clock, epoch ms. Set by acquisition, renewal and steal; NULL until then.
-- renewed_at: the holder's last acquisition or renewal; it sends to ComfyUI for at most
-- send_window ms after it (by its own clock, less a margin), and no one may take the lease from
-- it before that has passed. renewed_fence: the fence those two were written under; a holder
-- whose fence differs (a version before this one, which never writes them) is never taken from.
ALTER TABLE leases ADD COLUMN renewed_at BIGINT;
ALTER TABLE leases ADD COLUMN renewed_fence BIGINT;
ALTER TABLE leases ADD COLUMN send_window BIGINT;
