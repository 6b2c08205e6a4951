-- A row's first header stored as one byte when its columns print it exactly
-- (remedyiq_arlog.rawtext.render: the type tag, then TrID, TID, RPC ID, Queue, Client-RPC, USER
-- and Overlay-Group with the AR server's paddings): raw_lines then starts with 0x1C (the TrID
-- layout of 9.x and later) or 0x1D (the older layout without TrID) in its place, and the later
-- lines 0009 folds unfold to the same header. Headers are ~210 of a row's ~430 stored
-- characters; this stores the other half of them as one byte too.
-- raw_header is the header a row's lines share (rendered from the columns, or 0009's first
-- line's header, or empty); raw_text keeps its meaning for every reader. Rows stored before
-- read as they were (no mark at their start: a row is packed only if none of 0x1C, 0x1D, 0x1E
-- is in its lines). Free-text search reads raw_lines and the header's columns
-- (remedyiq_query.predicates). Metadata only, no mutation.
ALTER TABLE log_entries ADD COLUMN raw_header String ALIAS if(
    startsWith(raw_lines, '\x1C') OR startsWith(raw_lines, '\x1D'),
    concat('<', rightPad(toString(log_type), 4, ' '),
           if(startsWith(raw_lines, '\x1C'), concat('> <TrID: ', rightPadUTF8(trace_id, 30, ' ')), ''),
           '> <TID: ', thread_id,
           '> <RPC ID: ', rpc_id,
           '> <Queue: ', rightPadUTF8(queue, 10, ' '),
           '> <Client-RPC: ', rightPadUTF8(client_rpc, 9, ' '),
           '> <USER: ', rightPadUTF8(user, 45, ' '),
           '> <Overlay-Group: ', rightPadUTF8(overlay_group, 10, ' '), '>'),
    substring(raw_lines, 1, raw_head))
    AFTER raw_head;
ALTER TABLE log_entries MODIFY COLUMN raw_text String ALIAS
    if(startsWith(raw_lines, '\x1C') OR startsWith(raw_lines, '\x1D'),
       replaceAll(concat(raw_header, substring(raw_lines, 2)), '\n\x1E', concat('\n', raw_header)),
       if(raw_head = 0, raw_lines, replaceAll(raw_lines, '\n\x1E', concat('\n', raw_header))))
