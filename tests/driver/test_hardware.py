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

"""The multiarch hardware types validate like their in-tree parents.

Ironic reads some options from the group named after ``node.driver``
(``drivers/utils.get_verify_ca`` reads ``[<hardware type>]verify_ca`` on
2026.2): a ``multiarch-redfish`` node must validate, and an operator's
``[redfish]verify_ca`` must apply to it.
"""

import ironic.tests.unit  # noqa: F401  (must come first)

from unittest import mock

from oslo_config import cfg

from ironic.conductor import task_manager
from ironic.drivers.modules import ipmitool
from ironic.tests.unit.objects import utils as obj_utils

from ironic_multiarch.conf import hardware_type as hw_conf
from ironic_multiarch.conf import opts
from ironic_multiarch.driver import boot
from ironic_multiarch.driver import hardware
from tests.driver import base

CONF = cfg.CONF
REDFISH_INFO = {'redfish_address': 'https://bmc.example.com',
                'redfish_system_id': '/redfish/v1/Systems/1',
                'redfish_username': 'admin',
                'redfish_password': 'secret'}
IPMI_INFO = {'ipmi_address': '192.0.2.50', 'ipmi_username': 'admin',
             'ipmi_password': 'secret'}


def _reads_verify_ca():
    """Whether this Ironic has [redfish]verify_ca (and reads it by type)."""
    return 'verify_ca' in CONF.redfish


class HardwareTypeTestCase(base.MultiarchDbTestCase):

    def setUp(self):
        super().setUp()
        # ipmitool's interfaces probe the ipmitool binary when loaded.
        self.useFixture(__import__('fixtures').MockPatchObject(
            ipmitool, '_check_option_support', autospec=True))
        self.config(enabled_hardware_types=['multiarch-redfish',
                                            'multiarch-ipmi',
                                            'multiarch-manual'])
        self.config(enabled_power_interfaces=['redfish', 'ipmitool', 'fake'])
        self.config(enabled_management_interfaces=['redfish', 'ipmitool',
                                                   'fake'])
        self.ca_file = self.host_file('ca/bmc-ca.pem', 'not a real CA\n')

    def _node(self, driver, driver_info, **kw):
        node = obj_utils.create_test_node(
            self.context, driver=driver, driver_info=driver_info,
            boot_interface='multiarch-pxe', deploy_interface='direct',
            properties={'cpu_arch': 'aarch64'}, **kw)
        obj_utils.create_test_port(self.context, node_id=node.id,
                                   address='52:54:00:12:34:57',
                                   pxe_enabled=True)
        return node

    def _validate(self, node):
        with task_manager.acquire(self.context, node.uuid,
                                  shared=True) as task:
            task.driver.power.validate(task)
            task.driver.management.validate(task)
            return task.driver

    def test_redfish_validates_power_and_management(self):
        node = self._node('multiarch-redfish',
                          {'redfish_address': 'https://bmc.example.com',
                           'redfish_system_id': '/redfish/v1/Systems/1'})
        driver = self._validate(node)
        self.assertEqual('redfish', driver.power.__class__.__module__
                         .rsplit('.', 2)[-2])

    def test_redfish_group_is_registered_when_the_type_loads(self):
        node = self._node('multiarch-redfish', REDFISH_INFO)
        self._validate(node)
        if not _reads_verify_ca():
            # 2024.1 and 2025.1: nothing reads a group named after the type.
            self.assertNotIn('multiarch-redfish', CONF)
            return
        self.assertIn('multiarch-redfish', CONF)
        self.assertEqual('', CONF['multiarch-redfish'].verify_ca)

    def test_redfish_honours_redfish_verify_ca(self):
        if not _reads_verify_ca():
            self.skipTest('this Ironic has no [redfish]verify_ca')
        self.config(verify_ca=self.ca_file, group='redfish')
        node = self._node('multiarch-redfish', REDFISH_INFO)
        self._validate(node)
        from ironic.drivers.modules.redfish import utils as redfish_utils
        info = redfish_utils.parse_driver_info(node)
        self.assertEqual(self.ca_file, info['verify_ca'])

    def test_redfish_own_group_wins(self):
        if not _reads_verify_ca():
            self.skipTest('this Ironic has no [redfish]verify_ca')
        other = self.host_file('ca/other-ca.pem', 'another CA\n')
        self.config(verify_ca=self.ca_file, group='redfish')
        node = self._node('multiarch-redfish', REDFISH_INFO)
        self._validate(node)
        self.config(verify_ca=other, group='multiarch-redfish')
        from ironic.drivers.modules.redfish import utils as redfish_utils
        self.assertEqual(other,
                         redfish_utils.parse_driver_info(node)['verify_ca'])

    def test_redfish_node_driver_info_wins(self):
        if not _reads_verify_ca():
            self.skipTest('this Ironic has no [redfish]verify_ca')
        self.config(verify_ca=self.ca_file, group='redfish')
        node = self._node('multiarch-redfish',
                          dict(REDFISH_INFO, redfish_verify_ca=False))
        self._validate(node)
        from ironic.drivers.modules.redfish import utils as redfish_utils
        self.assertIs(False,
                      redfish_utils.parse_driver_info(node)['verify_ca'])

    def test_ipmi_validates_power_and_management(self):
        node = self._node('multiarch-ipmi', IPMI_INFO)
        driver = self._validate(node)
        self.assertIsInstance(driver.power, ipmitool.IPMIPower)
        self.assertIsInstance(driver.management, ipmitool.IPMIManagement)

    def test_multiarch_boot_interfaces_come_first(self):
        for cls in (hardware.MultiarchIPMIHardware,
                    hardware.MultiarchRedfishHardware,
                    hardware.MultiarchManualManagementHardware):
            self.assertEqual([boot.MultiarchPXEBoot, boot.MultiarchIPXEBoot,
                              boot.MultiarchHttpBoot,
                              boot.MultiarchHttpIPXEBoot],
                             cls().supported_boot_interfaces[:4])


class HardwareTypeConfTestCase(base.MultiarchDbTestCase):
    """The option groups, without loading a hardware type."""

    def test_register_is_idempotent_and_keeps_values(self):
        conf = cfg.ConfigOpts()
        conf.register_opt(cfg.StrOpt('verify_ca'), group='redfish')
        hw_conf.register_opts(conf, 'multiarch-redfish')
        conf([], project='x', default_config_files=[])
        conf.set_override('verify_ca', '/etc/ssl/bmc.pem', group='redfish')
        self.assertEqual('/etc/ssl/bmc.pem',
                         conf['multiarch-redfish']['verify_ca'])
        with mock.patch.object(conf, 'register_opts',
                               autospec=True) as register:
            hw_conf.register_opts(conf, 'multiarch-redfish')
        register.assert_not_called()

    def test_nothing_when_the_parent_lacks_the_option(self):
        conf = cfg.ConfigOpts()
        conf.register_opt(cfg.StrOpt('other'), group='redfish')
        hw_conf.register_opts(conf, 'multiarch-redfish')
        self.assertNotIn('multiarch-redfish', conf)

    def test_types_without_a_group(self):
        conf = cfg.ConfigOpts()
        hw_conf.register_opts(conf, 'multiarch-ipmi')
        hw_conf.register_opts(conf, 'multiarch-manual')
        self.assertNotIn('multiarch-ipmi', conf)
        self.assertNotIn('multiarch-manual', conf)

    def test_listed_for_the_sample(self):
        groups = dict(opts.list_opts())
        verify_ca, = groups['multiarch-redfish']
        self.assertEqual('verify_ca', verify_ca.name)
        self.assertEqual('${redfish.verify_ca}', verify_ca.default)
        self.assertIn('Defaults to [redfish]verify_ca', verify_ca.help)
