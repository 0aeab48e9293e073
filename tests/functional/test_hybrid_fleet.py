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

"""One real conductor serves a hybrid fleet (issue: boot interfaces).

Through openstacksdk, against the all-in-one Ironic of the ``ironic``
fixture: enroll x86_64 BIOS, x86_64 UEFI (iPXE), aarch64 UEFI and ppc64le
nodes plus nodes that must fail validation, take the good ones to
``clean wait``, compare what the conductor wrote with the plan the CLI
computes from the same ironic.conf, then tear down.
"""

import os
import re
import time

import pytest

from ironic_multiarch.cmd import common
from ironic_multiarch.cmd import plan as plan_cmd
from multiarch_lab import demo_fleet

pytestmark = pytest.mark.functional

#: name -> (cpu_arch, boot mode, interface, MAC, expected DHCP options,
#: expected console, config root)
GOOD = {
    'fn-x86-bios': ('x86_64', 'bios', 'multiarch-pxe', '52:54:00:10:86:01',
                    {'67': 'multiarch/x86_64/pxelinux.0'},
                    'console=ttyS0,115200n8', 'tftp'),
    'fn-x86-uefi': ('x86_64', 'uefi', 'multiarch-ipxe', '52:54:00:10:86:02',
                    {'tag:!ipxe,67': 'multiarch/x86_64/snponly.efi'},
                    'console=ttyS0,115200n8', 'http'),
    'fn-arm-uefi': ('aarch64', 'uefi', 'multiarch-pxe', '52:54:00:10:aa:01',
                    {'67': 'multiarch/aarch64/grubaa64.efi'},
                    'console=ttyAMA0,115200', 'tftp'),
    'fn-power': ('ppc64el', None, 'multiarch-pxe', '52:54:00:10:99:01',
                 {'210': 'tftp://127.0.0.1/'}, 'console=hvc0', 'tftp'),
}

#: name -> (cpu_arch, boot mode, MAC, text the validation error contains)
BAD = {
    'fn-arm-bios': ('aarch64', 'bios', '52:54:00:10:aa:02',
                    'boot mode bios is not possible on aarch64'),
    'fn-no-arch': (None, 'uefi', '52:54:00:10:00:01',
                   'cpu_arch=aarch64'),
    'fn-sparc': ('sparc64', 'uefi', '52:54:00:10:00:02',
                 "'sparc64' is not an enabled CPU architecture"),
}


def _enroll(conn, name, arch, boot_mode, iface, mac):
    fields = demo_fleet.node_fields(name, arch, boot_mode, iface,
                                    driver='multiarch-manual')
    if arch is None:
        fields['properties'].pop('cpu_arch')
    node = conn.baremetal.create_node(power_interface='fake',
                                      management_interface='fake', **fields)
    conn.baremetal.create_port(node_id=node.id, address=mac,
                               pxe_enabled=True)
    return node


def _wait(conn, node, state, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = conn.baremetal.get_node(node.id)
        if current.provision_state == state:
            return current
        if current.last_error:
            raise AssertionError('%s: %s' % (node.name, current.last_error))
        time.sleep(0.2)
    raise AssertionError('%s did not reach %s (is %s)'
                         % (node.name, state, current.provision_state))


def _opts(ironic, node):
    path = os.path.join(ironic.dnsmasq_opts_dir, 'ironic-%s.conf' % node.id)
    with open(path) as f:
        lines = f.read().splitlines()
    # "tag:<node tag>,<opt name>,<value>" -> {opt name: value}
    return dict(re.match(r'tag:[0-9a-f-]+,(.*),([^,]*)$', line).groups()
                for line in lines)


def test_hybrid_fleet(ironic, conn):
    ctx = common.load_context([ironic.conf_file])
    assert ctx.settings is not None, ctx.error
    roots = {'tftp': ironic.tftp_root, 'http': ironic.http_root}
    nodes = {name: _enroll(conn, name, *spec[:4])
             for name, spec in GOOD.items()}
    bad = {name: _enroll(conn, name, arch, mode, 'multiarch-pxe', mac)
           for name, (arch, mode, mac, _) in BAD.items()}

    for name, node in bad.items():
        result = conn.baremetal.validate_node(node.id, required=None)
        assert not result['boot'].result, name
        assert BAD[name][3] in result['boot'].reason, result['boot'].reason
        assert node.id in result['boot'].reason or name in \
            result['boot'].reason

    for node in nodes.values():
        assert conn.baremetal.validate_node(node.id, required=None)[
            'boot'].result
        conn.baremetal.set_node_provision_state(node.id, 'manage')
        _wait(conn, node, 'manageable')
        conn.baremetal.set_node_provision_state(node.id, 'provide')
    for name, node in nodes.items():
        _wait(conn, node, 'clean wait')

    written = {}
    for name, node in nodes.items():
        arch, _, iface, mac, dhcp, console, root_name = GOOD[name]
        api_node, ports = plan_cmd.fetch_node(conn, node.id)
        bp, _ = plan_cmd.make_plan(ctx, api_node, ports)
        root = roots[root_name]
        config = os.path.join(root, node.id, 'config')
        with open(config) as f:
            text = f.read()
        # byte for byte what the CLI plans from the same ironic.conf, but
        # for the id of the request Ironic was serving (as stock appends)
        assert re.search(r' ipa-global-request-id=req-[0-9a-f-]{36}\b',
                         text), text
        assert re.sub(r' ipa-global-request-id=\S+', '', text) == \
            bp.config_text, name
        assert console in text
        assert 'ipa-api-url=%s' % ironic.url in text
        if bp.config_format == 'petitboot':
            assert 'DEFAULT deploy\n\nLABEL deploy' in text
        for link in bp.links:
            assert os.path.realpath(os.path.join(root, link)) == config
        for role_path in (bp.kernel_path, bp.ramdisk_path):
            with open(os.path.join(roots[bp.image_root], role_path)) as f:
                assert f.read().startswith('fake %s' % bp.arch)
        opts = _opts(ironic, node)
        for key, value in dhcp.items():
            assert opts[key] == value, (name, opts)
        assert opts == {o['opt_name']: o['opt_value']
                        for o in bp.dhcp_options}
        if bp.arch == 'ppc64le':
            assert opts['209'] == 'tftp://127.0.0.1/%s/config' % node.id
            assert '67' not in opts
        for item in bp.loader_files:
            assert os.path.isfile(os.path.join(ironic.tftp_root, item.path))
        written[name] = (root, config, bp.links)

    for node in nodes.values():
        conn.baremetal.set_node_provision_state(node.id, 'abort')
    for name, node in nodes.items():
        _wait(conn, node, 'clean failed')
        root, config, links = written[name]
        # the conductor tears down after it records the new state
        paths = [os.path.dirname(config)] + [os.path.join(root, link)
                                             for link in links]
        deadline = time.monotonic() + 30
        while (any(os.path.lexists(p) for p in paths)
               and time.monotonic() < deadline):
            time.sleep(0.2)
        for path in paths:
            assert not os.path.lexists(path), (name, path)
        conn.baremetal.set_node_provision_state(node.id, 'manage')
        _wait(conn, node, 'manageable')
    for node in list(nodes.values()) + list(bad.values()):
        conn.baremetal.delete_node(node.id)
