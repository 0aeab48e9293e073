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

"""Run one boot-interface scenario in-process and record what it leaves.

Stock Ironic (``pxe``, ``ipxe``, ``http``, ``http-ipxe``) is the oracle:
the same scenario runs once through the stock interface and once through
its multiarch counterpart (``multiarch-pxe``, ``multiarch-ipxe``,
``multiarch-http``, ``multiarch-http-ipxe``) on a fresh conductor each time, for
an x86_64 node, where the architecture changes nothing. Each run is
reduced to plain data (:class:`Run`) that :mod:`tests.parity.normalise`
turns into comparable facts.

Everything is recorded at a public boundary: the DHCP factory
(``update_dhcp``/``clean_dhcp``), the neutron provider's
``update_port_dhcp_opts``, ``manager_utils.node_set_boot_device``, the
management interface's boot-mode calls and the files below the TFTP and
HTTP roots.
"""

from tests.driver import base  # noqa: F401  (imports Ironic's tests first)

import contextlib
import os
import stat
from unittest import mock

import ironic
from ironic.common import dhcp_factory
from ironic.common import states
from ironic.conductor import utils as manager_utils
from ironic.dhcp import neutron as neutron_dhcp
from ironic.drivers.modules import fake
from ironic.tests.unit.objects import utils as obj_utils

NODE_UUID = '1be26c0b-03f2-4d2e-ae87-c02d7f33c123'
VIF_UUID = 'a0a0a0a0-0000-4000-8000-%012x'
PORT_UUID = 'c1ed3e0a-9e52-4b2a-8f3e-%012x'
VOLUME_UUID = '0e7ab8a2-5e7a-4c3a-9d4b-5e3c1f0a2b3c'
CONNECTOR_UUID = '1e7ab8a2-5e7a-4c3a-9d4b-5e3c1f0a2b3c'
FIXED_IPS = ['192.0.2.10', '2001:db8::10']

#: The stock interface each multiarch interface extends.
STOCK = {'multiarch-pxe': 'pxe', 'multiarch-ipxe': 'ipxe',
         'multiarch-http': 'http', 'multiarch-http-ipxe': 'http-ipxe'}

KS_TEMPLATE = os.path.join(os.path.dirname(ironic.__file__), 'drivers',
                           'modules', 'ks.cfg.template')


def macs(count):
    return ['52:54:00:12:34:%02x' % (0x56 + i) for i in range(count)]


class Env(base.MultiarchDbTestCase):
    """A conductor configured for both stock and multiarch interfaces.

    Not collected by pytest (no ``test`` methods); used by hand through
    :func:`environment`.
    """

    def runTest(self):  # pragma: no cover - required by unittest
        pass

    def setUp(self):
        super().setUp()
        self.config(enabled_boot_interfaces=[
            'multiarch-pxe', 'multiarch-ipxe', 'multiarch-http',
            'multiarch-http-ipxe', 'pxe', 'ipxe', 'http', 'http-ipxe',
            'fake'])
        self.config(enabled_deploy_interfaces=[
            'direct', 'ramdisk', 'anaconda', 'fake'])
        self.config(enabled_storage_interfaces=['noop', 'cinder'])
        with open(KS_TEMPLATE) as f:
            self.ks_template = self.host_file('images/ks.cfg.template',
                                              f.read())
        self.config(default_ks_template=self.ks_template, group='anaconda')
        # Both interfaces read the same images from the node itself.
        self.config(deploy_kernel=None, deploy_ramdisk=None,
                    rescue_kernel=None, rescue_ramdisk=None,
                    group='conductor')


@contextlib.contextmanager
def environment():
    """A fresh :class:`Env`, set up and torn down around the block."""
    env = Env('runTest')
    env.setUp()
    try:
        yield env
    finally:
        env.doCleanups()


class Run(object):
    """What one interface left behind: plain data only."""

    def __init__(self):
        self.events = []      # ordered, one list per step
        self.snapshots = []   # tree after each step
        self.error = None     # (step index, step name, exception class)


def _tree(root):
    """Every file, directory and link below ``root``."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                target = os.path.realpath(path)
                found[rel] = ('link', os.path.relpath(target, root)
                              if os.path.exists(target) else None, None)
            elif stat.S_ISDIR(st.st_mode):
                found[rel] = ('dir', None, stat.S_IMODE(st.st_mode))
            else:
                with open(path, 'rb') as f:
                    data = f.read()
                try:
                    text = data.decode()
                except UnicodeDecodeError:  # pragma: no cover
                    text = None
                found[rel] = ('file', text, stat.S_IMODE(st.st_mode))
    return found


def snapshot(env):
    """The TFTP root, the HTTP root and the dnsmasq files of ``env``."""
    return {'tftp': _tree(env.tftp), 'http': _tree(env.http),
            'dnsmasq': _tree(os.path.join(env.tmp, 'dnsmasq'))}


def make_node(env, sc, boot_interface):
    """Create the scenario's node with ``boot_interface``."""
    images = {role: env.image('x86_64', role) for role in (
        'deploy_kernel', 'deploy_ramdisk', 'rescue_kernel', 'rescue_ramdisk')}
    caps = []
    if sc.boot_mode:
        caps.append('boot_mode:%s' % sc.boot_mode)
    if sc.secure_boot:
        caps.append('secure_boot:true')
    properties = {'cpu_arch': 'x86_64', 'capabilities': ','.join(caps)}
    instance_info = {'image_source': env.image('x86_64', 'instance_image'),
                     'image_checksum': 'md5:unused',
                     'root_gb': 10}
    if sc.secure_boot:
        instance_info['capabilities'] = {'secure_boot': 'true'}
    internal = {}
    if sc.image == 'whole-disk':
        internal['is_whole_disk_image'] = True
    else:
        internal['is_whole_disk_image'] = False
        instance_info['kernel'] = env.image('x86_64', 'instance_kernel')
        instance_info['ramdisk'] = env.image('x86_64', 'instance_ramdisk')
        internal['root_uuid_or_disk_id'] = (
            '8f4a6c2e-3b1d-4e5f-9a7b-6c5d4e3f2a1b')
    if sc.deploy == 'anaconda':
        instance_info['stage2'] = env.image('x86_64', 'stage2')
        instance_info['ks_template'] = 'file://' + env.ks_template
        internal['agent_secret_token'] = 'secret-token'
        instance_info['image_url'] = instance_info['image_source']
    if sc.boot_iso:
        instance_info.pop('image_source')
        instance_info['boot_iso'] = env.image('x86_64', 'boot_iso')
    instance_info.update(sc.instance_info)
    storage = 'noop'
    if sc.bfv:
        storage = 'cinder'
        internal['boot_from_volume'] = VOLUME_UUID
    driver_info = dict(images)
    driver_info.update(sc.driver_info)
    node = obj_utils.create_test_node(
        env.context, driver='multiarch-manual', uuid=NODE_UUID,
        boot_interface=boot_interface, power_interface='fake',
        management_interface='fake', deploy_interface=sc.deploy,
        storage_interface=storage, properties=properties,
        driver_info=driver_info, instance_info=instance_info,
        driver_internal_info=internal, provision_state=states.AVAILABLE)
    for i, mac in enumerate(macs(sc.nics)):
        extra = {}
        port_internal = {}
        if sc.dhcp == 'neutron':
            port_internal['tenant_vif_port_id'] = VIF_UUID % i
        obj_utils.create_test_port(
            env.context, node_id=node.id, address=mac, pxe_enabled=True,
            uuid=PORT_UUID % i, extra=extra,
            internal_info=port_internal)
    if sc.bfv:
        obj_utils.create_test_volume_target(
            env.context, node_id=node.id, uuid=VOLUME_UUID,
            volume_type='iscsi', boot_index=0, volume_id='1234',
            properties={'target_iqn': 'iqn.2010-10.com.example:vol-x',
                        'target_lun': 0,
                        'target_portal': '192.0.2.20:3260',
                        'auth_username': 'user', 'auth_password': 'pass'})
        obj_utils.create_test_volume_connector(
            env.context, node_id=node.id, uuid=CONNECTOR_UUID, type='iqn',
            connector_id='iqn.2010-10.org.openstack:node')
    return node


@contextlib.contextmanager
def recorders(env, sc, events):
    """Patch the boundaries and append what crosses them to ``events``."""
    stack = contextlib.ExitStack()
    orig_update = dhcp_factory.DHCPFactory.update_dhcp
    orig_clean = dhcp_factory.DHCPFactory.clean_dhcp

    def update_dhcp(self, task, dhcp_opts, *args, **kwargs):
        events[-1].append(('update_dhcp', [dict(o) for o in dhcp_opts]))
        return orig_update(self, task, dhcp_opts, *args, **kwargs)

    def clean_dhcp(self, task):
        events[-1].append(('clean_dhcp',))
        return orig_clean(self, task)

    def set_boot_device(task, device, persistent=False):
        events[-1].append(('boot_device', device, persistent))

    def set_boot_mode(self, task, mode):
        events[-1].append(('set_boot_mode', mode))

    def port_opts(self, port_id, dhcp_options, context=None):
        events[-1].append(('neutron_port', port_id,
                           [dict(o) for o in dhcp_options]))

    def secure_boot(self, task, state):
        events[-1].append(('secure_boot', state))

    stack.enter_context(mock.patch.object(
        dhcp_factory.DHCPFactory, 'update_dhcp', autospec=True,
        side_effect=update_dhcp))
    stack.enter_context(mock.patch.object(
        dhcp_factory.DHCPFactory, 'clean_dhcp', autospec=True,
        side_effect=clean_dhcp))
    stack.enter_context(mock.patch.object(
        manager_utils, 'node_set_boot_device', autospec=True,
        side_effect=set_boot_device))
    stack.enter_context(mock.patch.object(
        neutron_dhcp.NeutronDHCPApi, 'update_port_dhcp_opts', autospec=True,
        side_effect=port_opts))
    stack.enter_context(mock.patch.object(
        neutron_dhcp.NeutronDHCPApi, 'get_ip_addresses', autospec=True,
        return_value=[FIXED_IPS[0]]))
    stack.enter_context(mock.patch.object(
        fake.FakeManagement, 'set_secure_boot_state', autospec=True,
        side_effect=secure_boot, create=True))
    if sc.bmc_boot_mode:
        stack.enter_context(mock.patch.object(
            fake.FakeManagement, 'get_boot_mode', autospec=True,
            return_value=sc.bmc_boot_mode, create=True))
        stack.enter_context(mock.patch.object(
            fake.FakeManagement, 'get_supported_boot_modes', autospec=True,
            return_value=['bios', 'uefi'], create=True))
        stack.enter_context(mock.patch.object(
            fake.FakeManagement, 'set_boot_mode', autospec=True,
            side_effect=set_boot_mode, create=True))
    with stack:
        yield


def _call(env, node, step):
    """Run one step on a fresh task, as the conductor would."""
    method, state = step[0], step[1]
    node.refresh()
    node.provision_state = state
    node.save()
    with env.acquire(node) as task:
        iface = task.driver.boot
        if method == 'prepare_ramdisk':
            iface.prepare_ramdisk(task, {'ipa-api-url': base.API_URL})
        else:
            getattr(iface, method)(task)


def run(sc, interface):
    """Run scenario ``sc`` through boot interface ``interface``."""
    result = Run()
    old_umask = os.umask(sc.umask) if sc.umask is not None else None
    try:
        with environment() as env:
            for name, value in sc.config:
                group, _, option = name.rpartition('/')
                env.config(**{option: value,
                              'group': None if group == 'DEFAULT' else group})
            if sc.dhcp == 'neutron':
                env.config(dhcp_provider='neutron', group='dhcp')
                env.config(port_setup_delay=0, group='neutron')
                dhcp_factory.DHCPFactory._dhcp_provider = None
            if sc.enable_all:
                env.config(enabled_boot_interfaces=[
                    'pxe', 'ipxe', 'http', 'http-ipxe', 'multiarch-pxe',
                    'multiarch-ipxe', 'multiarch-http',
                    'multiarch-http-ipxe', 'fake'])
            node = make_node(env, sc, interface)
            with recorders(env, sc, result.events):
                for index, step in enumerate(sc.steps):
                    result.events.append([])
                    try:
                        _call(env, node, step)
                    except Exception as exc:
                        result.error = (index, step[0], type(exc).__name__)
                        result.snapshots.append(snapshot(env))
                        break
                    result.snapshots.append(snapshot(env))
            result.roots = {'tftp': env.tftp, 'http': env.http,
                            'tmp': env.tmp}
    finally:
        if old_umask is not None:
            os.umask(old_umask)
    return result
