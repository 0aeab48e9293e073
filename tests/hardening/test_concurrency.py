# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Atomic writes: firmware never reads a torn file or a dangling link.

Writer threads prepare and clean up their own nodes, and all rewrite
one shared node (alternating formats, so per-MAC links change kind)
with the code the driver uses (:mod:`ironic_multiarch.tree`), while
reader threads follow the per-MAC names the way firmware does.

A reader fails the test on a torn file, on a link whose target is
missing (a dangling link), and on a missing config of the shared node,
which is rewritten but never removed. (Ironic's task lock serialises
prepare and clean-up of one node, so only writes race on it.)
"""

import os

try:  # Ironic's test package may have monkey-patched threading (eventlet):
    from eventlet import patcher  # the writers and readers must be real
    threading = patcher.original('threading')  # OS threads
    time = patcher.original('time')
except ImportError:  # pragma: no cover
    import threading
    import time

from ironic_multiarch import paths
from ironic_multiarch import tree
from tests import fleet

WRITERS = 6
READERS = 4
SECONDS = 4.0
SHARED = 0  # the node every writer fights over


def _variants(settings, index):
    """Two different plans of one node: another format and arguments."""
    first = fleet.plan(index, settings, kind=1, params='nofb')
    second = fleet.plan(index, settings, kind=3, params='quiet ' * 40)
    return first, second


def test_no_torn_reads_and_no_dangling_links(tmp_path):
    settings = fleet.settings()
    roots = {'tftp': str(tmp_path / 'tftp'), 'http': str(tmp_path / 'http')}
    indexes = [SHARED] + list(range(1, WRITERS + 1))
    variants = {i: _variants(settings, i) for i in indexes}
    valid = {i: {p.config_text for p in variants[i]} for i in indexes}
    names = {i: [(p.config_root, n) for p in variants[i] for n in p.links]
             for i in indexes}
    stop = threading.Event()
    errors = []
    counts = {'reads': 0, 'complete': 0, 'writes': 0}
    lock = threading.Lock()

    def writer(own):
        n = 0
        while not stop.is_set():
            for index in (own, SHARED):
                bp = variants[index][n % 2]
                tree.write_plan(roots, bp)
                with lock:
                    counts['writes'] += 1
                if n % 3 == 2 and index != SHARED:
                    tree.remove_node(roots, bp.node, [fleet.mac(index)])
            n += 1

    def check(index, root_name, name, path):
        try:
            with open(path) as f:
                text = f.read()
        except FileNotFoundError:
            if index == SHARED and name in steady:
                errors.append(('missing', path))
            elif os.path.lexists(path) and not os.path.exists(path):
                errors.append(('dangling', path))
            return None
        if text not in valid[index]:
            errors.append(('torn', path, text[:80]))
        return text

    def reader():
        while not stop.is_set():
            for index in indexes:
                for root_name, name in names[index]:
                    path = os.path.join(roots[root_name], name)
                    text = check(index, root_name, name, path)
                    with lock:
                        counts['reads'] += 1
                        if text is not None:
                            counts['complete'] += 1

    # The shared node exists before the readers start, and stays.
    tree.write_plan(roots, variants[SHARED][0])
    steady = {p.config_path for p in variants[SHARED]}
    names = {i: names[i] + [(p.config_root, p.config_path)
                            for p in variants[i]] for i in indexes}
    threads = ([threading.Thread(target=writer, args=(i,))
                for i in range(1, WRITERS + 1)]
               + [threading.Thread(target=reader) for _ in range(READERS)])
    for thread in threads:
        thread.start()
    time.sleep(SECONDS)
    stop.set()
    for thread in threads:
        thread.join()

    assert not errors, errors[:5]
    assert counts['reads'] > 1000, counts
    assert counts['complete'] > 100, counts
    assert counts['writes'] > 100, counts
    # Clean everything up: no link may be left dangling, no node file left.
    for index in indexes:
        tree.remove_node(roots, fleet.node_uuid(index), [fleet.mac(index)])
    for root in roots.values():
        if not os.path.isdir(root):
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                full = os.path.join(dirpath, name)
                assert not os.path.islink(full), full
                assert not name.startswith('.tmp-'), full
                assert os.path.isdir(full) or not name.startswith(
                    tuple(fleet.node_uuid(i) for i in indexes)), full
        assert not [d for d in os.listdir(root)
                    if d.startswith(fleet.node_uuid(0)[:8])]


def test_remove_node_drops_every_link_kind(tmp_path):
    """A MAC whose node changed format keeps no link of the old kind."""
    settings = fleet.settings()
    roots = {'tftp': str(tmp_path / 'tftp'), 'http': str(tmp_path / 'http')}
    grub = fleet.plan(1, settings, kind=3)
    pxelinux = fleet.plan(1, settings, kind=0)
    tree.write_plan(roots, grub)
    tree.write_plan(roots, pxelinux)
    for name in grub.links:
        assert not os.path.lexists(os.path.join(roots['tftp'], name)), name
    tree.remove_node(roots, grub.node, [fleet.mac(1)])
    for root in roots.values():
        for name in paths.all_mac_links(fleet.mac(1)):
            assert not os.path.lexists(os.path.join(root, name))
