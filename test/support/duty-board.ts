import { Db } from '../../libs/database/src';

/**
 * Operators whose duty-board copies (agent_states: station_path, sockets, phones, chats, offered; migration
 * 1765400000000) differ from what the tables they copy say. Empty when the triggers kept them true.
 */
export function dutyBoardDrift(db: Db) {
  return db.rows<Record<string, unknown>>(
    `SELECT a.user_id, a.station_path, s.path, a.sockets, x.sockets AS real_sockets,
            a.phones, h.phones AS real_phones, a.chats, h.chats AS real_chats, a.offered, h.offered AS real_offered
       FROM agent_states a
       JOIN org_units s ON s.id = a.station_id
       CROSS JOIN LATERAL (SELECT count(*)::int AS sockets FROM agent_sessions x WHERE x.user_id = a.user_id) x
       CROSS JOIN LATERAL (
         SELECT count(*) FILTER (WHERE c.channel = 'phone')::int AS phones,
                count(*) FILTER (WHERE c.channel <> 'phone')::int AS chats,
                count(*) FILTER (WHERE c.status = 'offered')::int AS offered
           FROM contacts c WHERE c.assigned_worker_id = a.user_id AND c.status IN ('offered','active','wrap_up')) h
      WHERE a.station_path <> s.path OR a.sockets <> x.sockets OR a.phones <> h.phones OR a.chats <> h.chats
         OR a.offered <> h.offered`,
  );
}
