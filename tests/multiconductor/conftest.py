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

"""Fixtures of the multi-conductor tests: Ironic's distributed engine.

One :class:`~multiarch_lab.multiconductor.Deployment` (MariaDB, one
``ironic-api``, three ``ironic-conductor`` on 127.0.0.11-13, JSON-RPC)
serves a hybrid fleet: nodes of every architecture, boot mode and
multiarch boot interface in ``clean wait`` (their deploy ramdisk config
written by ``prepare_ramdisk``) and ACTIVE ramdisk-deploy nodes (their
netboot instance config written by ``prepare_instance``). Nothing is
skipped: if a service cannot start the fixture errors with its log tail.
"""

import os
import re
import time

import pytest

from multiarch_lab import demo_fleet
from multiarch_lab import multiconductor

HERE = os.path.dirname(os.path.abspath(__file__))

#: Each conductor's own address (an independent expectation).
ADDRESSES = {'cond-1': '127.0.0.11', 'cond-2': '127.0.0.12',
             'cond-3': '127.0.0.13'}

#: arch, boot mode (None: the architecture's default), boot interface.
KINDS = (
    ('x86_64', 'bios', 'multiarch-pxe'),
    ('x86_64', 'uefi', 'multiarch-pxe'),
    ('x86_64', 'uefi', 'multiarch-ipxe'),
    ('x86_64', 'bios', 'multiarch-ipxe'),
    ('aarch64', 'uefi', 'multiarch-pxe'),
    ('aarch64', 'uefi', 'multiarch-ipxe'),
    ('ppc64le', None, 'multiarch-pxe'),
    ('ppc64le', None, 'multiarch-ipxe'),
)
#: Nodes taken to ``clean wait`` and ACTIVE nodes.
CLEAN_NODES = 64
ACTIVE_NODES = 16

#: The one argument no other process can reproduce.
REQUEST_ID = re.compile(r' ipa-global-request-id=\S+')


def pytest_collection_modifyitems(config, items):
    """Mark every test of this directory ``multiconductor``."""
    for item in items:
        if str(item.fspath).startswith(HERE + os.sep):
            item.add_marker(pytest.mark.multiconductor)


def mac(prefix, index):
    """A MAC address unique to a node of a test module."""
    return '52:54:00:%02x:%02x:%02x' % (prefix, index // 256, index % 256)


def create(conn, name, kind, address, **fields):
    """Enrol a ``multiarch-manual`` node with fake power and one port."""
    arch, boot_mode, interface = kind
    spec = demo_fleet.node_fields(name, arch, boot_mode, interface,
                                  driver='multiarch-manual')
    spec.update(power_interface='fake', management_interface='fake')
    spec.update(fields)
    node = conn.baremetal.create_node(**spec)
    conn.baremetal.create_port(node_id=node.id, address=address,
                               pxe_enabled=True)
    return node


def wait_states(conn, names, wanted, timeout=180):
    """Wait until every node is in provision state ``wanted``."""
    deadline = time.monotonic() + timeout
    pending = set(names)
    while pending and time.monotonic() < deadline:
        for node in conn.baremetal.nodes(fields=['name', 'provision_state',
                                                 'last_error']):
            if node.name not in pending:
                continue
            if node.provision_state == wanted:
                pending.discard(node.name)
            elif node.provision_state in ('clean failed', 'deploy failed',
                                          'enroll', 'error'):
                pytest.fail('%s: %s: %s' % (node.name, node.provision_state,
                                            node.last_error))
        if pending:
            time.sleep(1)
    assert not pending, 'not %s: %s' % (wanted, sorted(pending))


def advance(conn, names, verb, state):
    """Send ``verb`` to every node, then wait until all are in ``state``."""
    for name in names:
        conn.baremetal.set_node_provision_state(name, verb)
    wait_states(conn, names, state)


def to_clean_wait(conn, names):
    """manage then provide: automated cleaning stops in ``clean wait``."""
    advance(conn, names, 'manage', 'manageable')
    advance(conn, names, 'provide', 'clean wait')


def to_active(conn, names):
    """manage, provide (no cleaning), deploy: ACTIVE ramdisk instances."""
    advance(conn, names, 'manage', 'manageable')
    advance(conn, names, 'provide', 'available')
    advance(conn, names, 'active', 'active')


def node_files(dep, node):
    """Every file or link of a node under each conductor's roots.

    A path belongs to the node if it is below ``<root>/<uuid>/``, if its
    name carries one of the node's MACs, or if it is a link to the node's
    directory.

    :returns: ``{conductor name: sorted relative paths}`` (only the
        conductors holding some).
    """
    macs = set()
    for address in node['macs']:
        macs.update({address, address.replace(':', '-')})
    found = {}
    for name, conductor in dep.conductors.items():
        paths = []
        for root in conductor.roots:
            for top, dirs, files in os.walk(root):
                for entry in files + [d for d in dirs if os.path.islink(
                        os.path.join(top, d))]:
                    path = os.path.join(top, entry)
                    rel = os.path.relpath(path, root)
                    target = (os.readlink(path) if os.path.islink(path)
                              else '')
                    if (rel.startswith(node['uuid'] + os.sep)
                            or any(m in entry for m in macs)
                            or node['uuid'] in target):
                        paths.append(os.path.join(
                            os.path.basename(root), rel))
        if paths:
            found[name] = sorted(paths)
    return found


def dangling_links(dep):
    """Links under any conductor root whose target does not exist."""
    bad = []
    for conductor in dep.conductors.values():
        for root in conductor.roots:
            for top, dirs, files in os.walk(root):
                for entry in files + dirs:
                    path = os.path.join(top, entry)
                    if os.path.islink(path) and not os.path.exists(path):
                        bad.append(path)
    return bad


def config_text(conductor, uuid):
    """The node's ``config`` in a conductor's roots, without request id.

    :returns: ``(path, text)`` or ``(None, None)``.
    """
    for root in conductor.roots:
        path = os.path.join(root, uuid, 'config')
        if os.path.isfile(path):
            with open(path) as config:
                return path, REQUEST_ID.sub('', config.read())
    return None, None


def dhcp_options(dep, uuid):
    """The node's DHCP options file in the shared dnsmasq directory."""
    with open(os.path.join(dep.opts_dir, 'ironic-%s.conf' % uuid)) as opts:
        return opts.read()


def owners(dep):
    """``{node uuid: conductor name}`` from the API's ``conductor`` field.

    ``GET /v1/nodes/detail`` (``fields=conductor`` is refused).
    """
    resp = dep.request('GET', '/v1/nodes/detail?limit=1000',
                       microversion=multiconductor.CONDUCTOR_MICROVERSION)
    resp.raise_for_status()
    return {n['uuid']: dep.by_host(n['conductor']).name
            for n in resp.json()['nodes']}


def enrol_fleet(dep, prefix, mac_byte, kinds=KINDS, clean=CLEAN_NODES,
                active=ACTIVE_NODES, **fields):
    """Enrol and drive a fleet; return ``{name: node dict}``.

    :param mac_byte: fourth byte of the MACs, unique per call.
    :param fields: more ``create_node`` fields for every node.
    """
    conn = dep.connection()
    images = dep.extra_conf
    nodes = {}
    for index in range(clean + active):
        kind = kinds[index % len(kinds)]
        state = 'clean' if index < clean else 'active'
        name = '%s-%s-%02d' % (prefix, state, index)
        extra = dict(fields)
        if state == 'active':
            group = images['multiarch_%s' % kind[0]]
            extra.update(deploy_interface='ramdisk', automated_clean=False,
                         instance_info={
                             'kernel': group['deploy_kernel'],
                             'ramdisk': group['deploy_ramdisk']})
        address = mac(mac_byte + (state == 'active'), index)
        node = create(conn, name, kind, address, **extra)
        nodes[name] = {'uuid': node.id, 'name': name, 'kind': kind,
                       'state': state, 'macs': [address]}
    if clean:
        to_clean_wait(conn, [n for n in nodes if '-clean-' in n])
    if active:
        to_active(conn, [n for n in nodes if '-active-' in n])
    return nodes


@pytest.fixture(scope='session')
def deployment(tmp_path_factory):
    """A running three-conductor :class:`Deployment`, stopped at the end."""
    workdir = str(tmp_path_factory.mktemp('multiconductor'))
    dep = multiconductor.Deployment(
        workdir, conductors=3,
        extra_conf=demo_fleet.multiarch_conf(workdir))
    dep.start()
    try:
        yield dep
    finally:
        dep.stop()


@pytest.fixture(scope='session')
def fleet(deployment):
    """The hybrid fleet: ``{name: {'uuid', 'kind', 'state', 'macs'}}``."""
    return enrol_fleet(deployment, 'mc', 0x20)
