# A libtorrent peer for the interop tests, driven from the shell
# (Debian's python3-libtorrent, run with /usr/bin/python3). Loopback only:
# no DHT, no LSD, no UPnP or NAT-PMP, no uTP.
#
#   make PATH PIECE_LEN hybrid|v2|v1 OUT  write a torrent of PATH to OUT
#   magnet TORRENT                        print its magnet link
#   pads TORRENT SAVE                     write its BEP 47 pad files (zeros)
#                                         under SAVE, for v1 clients
#   seed TORRENT SAVE                     check SAVE, then seed it; prints
#                                         "port N" once seeding, runs until
#                                         it is stopped
#   get TORRENT SAVE PORT                 fetch into SAVE from the peer at
#                                         127.0.0.1:PORT; prints "complete"
#                                         and exits 0 when done, exits 1
#                                         after 90 s (TORRENT may be a
#                                         magnet link); with PORT 0 and a
#                                         tracker URL after it, it finds
#                                         its peers through the tracker
import os
import sys
import time

import libtorrent as lt


def session():
    return lt.session({
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_outgoing_utp": False,
        "enable_incoming_utp": False,
        "alert_mask": lt.alert.category_t.error_notification,
    })


def add(s, torrent, save):
    if torrent.startswith("magnet:"):
        p = lt.parse_magnet_uri(torrent)
    else:
        p = lt.add_torrent_params()
        p.ti = lt.torrent_info(torrent)
    p.save_path = save
    return s.add_torrent(p)


def main():
    cmd = sys.argv[1]
    if cmd == "make":
        path, pl, kind, out = (os.path.abspath(sys.argv[2]),
                               int(sys.argv[3]), sys.argv[4], sys.argv[5])
        fs = lt.file_storage()
        lt.add_files(fs, path)
        flags = {"hybrid": 0, "v2": lt.create_torrent.v2_only,
                 "v1": lt.create_torrent.v1_only}[kind]
        ct = lt.create_torrent(fs, pl, flags=flags)
        lt.set_piece_hashes(ct, os.path.dirname(path))
        with open(out, "wb") as f:
            f.write(lt.bencode(ct.generate()))
        return 0
    if cmd == "magnet":
        print(lt.make_magnet_uri(lt.torrent_info(sys.argv[2])))
        return 0
    if cmd == "pads":
        fs = lt.torrent_info(sys.argv[2]).files()
        for i in range(fs.num_files()):
            if fs.file_flags(i) & lt.file_storage.flag_pad_file:
                path = os.path.join(sys.argv[3], fs.file_path(i))
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as f:
                    f.write(bytes(fs.file_size(i)))
        return 0
    s = session()
    h = add(s, sys.argv[2], sys.argv[3])
    if cmd == "seed":
        end = time.monotonic() + 60
        while not h.status().is_seeding:
            if time.monotonic() > end:
                print("not seeding: %s" % h.status().state, file=sys.stderr)
                return 1
            s.wait_for_alert(100)
            s.pop_alerts()
        print("port %d" % s.listen_port(), flush=True)
        while True:
            s.wait_for_alert(1000)
            for a in s.pop_alerts():
                print(a.message(), file=sys.stderr, flush=True)
    if cmd == "get":
        port = int(sys.argv[4])
        if len(sys.argv) > 5:
            h.add_tracker({"url": sys.argv[5]})
            h.force_reannounce()
        end = time.monotonic() + 90
        last = 0
        while not h.status().is_seeding:
            now = time.monotonic()
            if now > end:
                st = h.status()
                print("incomplete: %s, %.1f%%, %d peers" % (st.state,
                      st.progress * 100, st.num_peers), file=sys.stderr)
                return 1
            # Dial again while not connected (the seed may still start).
            if port != 0 and h.status().num_peers == 0 and now - last > 1:
                h.connect_peer(("127.0.0.1", port))
                last = now
            s.wait_for_alert(100)
            for a in s.pop_alerts():
                print(a.message(), file=sys.stderr, flush=True)
        print("complete", flush=True)
        return 0
    print("unknown command %s" % cmd, file=sys.stderr)
    return 2


sys.exit(main())
