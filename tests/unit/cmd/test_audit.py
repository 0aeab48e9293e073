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

"""``audit``: problems found from plain node and port data."""

import io
import json

from ironic_multiarch.cmd import audit
from ironic_multiarch.cmd import common

U = '00000000-0000-4000-8000-%012d'


def node(i, arch='x86_64', boot_mode='uefi', interface='multiarch-pxe',
         **extra):
    props = {'capabilities': 'boot_mode:%s' % boot_mode}
    if arch:
        props['cpu_arch'] = arch
    data = {'uuid': U % i, 'name': 'n%d' % i, 'properties': props,
            'driver_info': {}, 'instance_info': {},
            'boot_interface': interface}
    data.update(extra)
    return data


def port(i):
    return {'node_uuid': U % i,
            'address': '52:54:00:00:%02x:%02x' % divmod(i, 256),
            'pxe_enabled': True, 'extra': {}}


def codes(report):
    return {(p.name, p.code) for p in report.problems}


def run(ctx, nodes, ports=None, **kw):
    return audit.audit(nodes, None if ports is None else list(ports),
                       ctx.settings, ctx.profiles,
                       ctx.extra_kernel_params('deploy'),
                       ctx.default_boot_mode, **kw)


def test_clean_fleet_has_no_problems(ctx):
    report = run(ctx, [node(1), node(2, 'aarch64')], [port(1), port(2)])
    assert report.problems == []
    assert report.summary == {('x86_64', 'uefi', 'multiarch-pxe'): [1, 0],
                              ('aarch64', 'uefi', 'multiarch-pxe'): [1, 0]}


def test_every_kind_of_problem(ctx):
    nodes = [node(1), node(2, arch=None), node(3, 'sparc64'),
             node(4, 'aarch64', 'bios'), node(5, 'ppc64le'),
             node(6, 'arm64', interface='pxe'),
             node(7, 'x86_64', boot_mode='weird')]
    report = run(ctx, nodes, [port(i) for i in range(1, 8)])
    assert codes(report) == {
        ('n2', audit.NO_CPU_ARCH), ('n3', audit.UNKNOWN_CPU_ARCH),
        ('n4', audit.BOOT_MODE), ('n5', audit.NO_IMAGES),
        ('n6', audit.NOT_MULTIARCH), ('n6', audit.ALIAS_CPU_ARCH),
        ('n7', audit.BOOT_MODE)}
    by_code = {p.code: p.message for p in report.problems}
    assert '[multiarch_ppc64le]deploy_kernel' in by_code[audit.NO_IMAGES]
    assert 'multiarch-pxe' in by_code[audit.NOT_MULTIARCH]
    assert report.summary[('(none)', 'uefi', 'multiarch-pxe')] == [1, 1]
    assert report.summary[('aarch64', 'uefi', 'pxe')] == [1, 1]


def test_stock_interface_fine_in_single_arch_fleet(ctx):
    report = run(ctx, [node(1, interface='pxe'), node(2, 'amd64')])
    assert codes(report) == {('n2', audit.ALIAS_CPU_ARCH)}


def test_node_driver_info_images_fix_no_images(ctx):
    fixed = node(5, 'ppc64le', driver_info={
        'deploy_kernel': 'http://x/k', 'deploy_ramdisk': 'http://x/r'})
    assert run(ctx, [fixed]).problems == []


def test_other_interfaces_are_not_planned(ctx):
    report = run(ctx, [node(1, 'ppc64le', interface='redfish-virtual-media'),
                       node(2, 'aarch64')])
    assert report.problems == []


def test_loader_files_checked_in_the_root(ctx, tmp_path):
    root = tmp_path / 'tftpboot'
    (root / 'multiarch' / 'x86_64').mkdir(parents=True)
    (root / 'multiarch' / 'x86_64' / 'grubx64.efi').write_text('x')
    report = run(ctx, [node(1), node(2, 'aarch64'), node(3, 'aarch64')],
                 file_root=str(root))
    assert codes(report) == {('n2', audit.LOADER_MISSING),
                             ('n3', audit.LOADER_MISSING)}
    assert 'multiarch/aarch64/grubaa64.efi' in report.problems[0].message


def test_render_table_and_json(ctx):
    report = run(ctx, [node(1), node(2, arch=None)])
    text = audit.render(report)
    assert text.splitlines()[0].split() == [
        'ARCH', 'BOOT', 'MODE', 'INTERFACE', 'NODES', 'WITH', 'PROBLEMS']
    assert '2 nodes, 0 ports, 1 problems' in text
    assert 'n2' in text and audit.NO_CPU_ARCH in text
    data = json.loads(audit.render(report, 'json'))
    assert data['nodes'] == 2
    assert data['problems'][0]['code'] == audit.NO_CPU_ARCH
    assert {'arch': 'x86_64', 'boot_mode': 'uefi',
            'interface': 'multiarch-pxe', 'nodes': 1,
            'with_problems': 0} in data['summary']


class CountingAdapter(object):
    """Serves nodes and ports pages like Ironic; counts the requests."""

    def __init__(self, nodes, ports):
        self.data = {'nodes': nodes, 'ports': ports}
        self.calls = []

    def get_endpoint_data(self):
        return None

    def get(self, url, params=None, microversion=None, raise_exc=True):
        self.calls.append(url)
        if params is None:
            resource, query = url.split('/v1/')[1].split('?')
            q = dict(kv.split('=') for kv in query.split('&'))
            limit, start = int(q['limit']), int(q['marker'])
        else:
            resource, limit, start = url.strip('/'), params['limit'], 0
        items = self.data[resource]
        page = items[start:start + limit]
        body = {resource: page}
        if len(page) == limit:
            body['next'] = 'http://i/v1/%s?limit=%d&marker=%d' % (
                resource, limit, start + limit)
        return type('R', (), {'status_code': 200,
                              'json': lambda self: body})()


def test_run_requests_pages_not_nodes(ctx):
    nodes = [node(i) for i in range(1000)]
    ports = [port(i) for i in range(1000)]
    adapter = CountingAdapter(nodes, ports)
    conn = type('C', (), {'baremetal': adapter})()
    for check_ports, port_pages in ((True, 4), (False, 0)):
        adapter = CountingAdapter(nodes, ports)
        conn = type('C', (), {'baremetal': adapter})()
        args = type('A', (), {'page_size': 300, 'check_files': False,
                              'check_ports': check_ports,
                              'config_file': ctx.files, 'format': 'json'})()
        out = io.StringIO()
        status = audit.run(args, lambda: conn, out, io.StringIO())
        assert status == common.EXIT_OK
        assert adapter.calls.count('/nodes') == 1
        assert adapter.calls.count('/ports') == (1 if check_ports else 0)
        assert len(adapter.calls) == 4 + port_pages
        assert json.loads(out.getvalue())['nodes'] == 1000


def test_no_pxe_port_only_when_ports_are_checked(ctx):
    nodes = [node(1), node(2, 'aarch64')]
    assert run(ctx, nodes).problems == []
    assert codes(run(ctx, nodes, [port(1)])) == {('n2', 'no-pxe-port')}
    report = run(ctx, nodes, [port(1)])
    assert 'openstack baremetal port create --node %s' % (U % 2) in (
        report.problems[0].message)


def test_pages_are_checked_as_they_come(ctx):
    pages = iter([[node(1)], [node(2, 'aarch64'), node(3, 'x86_64')]])
    report = run(ctx, pages)
    assert report.nodes == 3 and report.problems == []


def test_readiness_per_conductor_group(ctx):
    nodes = [node(1, conductor_group='x86'), node(2, conductor_group='x86'),
             node(3, 'aarch64', conductor_group='arm'),
             node(4, arch=None, conductor_group='arm'), node(5)]
    report = run(ctx, nodes)
    assert report.groups == {'x86': [2, 0], 'arm': [2, 1], '': [1, 0]}
    text = audit.render(report)
    rows = {tuple(line.split()) for line in text.splitlines()}
    assert ('arm', '2', '1') in rows and ('(none)', '1', '0') in rows
    data = json.loads(audit.render(report, 'json'))
    assert {'conductor_group': 'arm', 'nodes': 2,
            'with_problems': 1} in data['conductor_groups']


def test_one_conductor_group_only(ctx):
    nodes = [node(1, conductor_group='x86'),
             node(2, arch=None, conductor_group='arm'), node(3)]
    report = run(ctx, nodes, conductor_group='X86')
    assert report.nodes == 1 and report.problems == []
    assert report.groups == {'x86': [1, 0]}
    assert run(ctx, nodes, conductor_group='').groups == {'': [1, 0]}
    assert codes(run(ctx, nodes, conductor_group='arm')) == {
        ('n2', audit.NO_CPU_ARCH)}


def test_no_group_table_without_groups(ctx):
    text = audit.render(run(ctx, [node(1), node(2)]))
    assert 'CONDUCTOR GROUP' not in text
