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

"""The interfaces' start-up: Ironic's own shared files, our loaders.

Both interfaces run Ironic's own ``__init__``, so ``boot.ipxe`` and
``grub/grub.cfg`` are byte for byte what the stock ``ipxe`` and ``pxe``
interfaces write, whichever was started last.
"""

from tests.driver import base  # noqa: I100  (imports Ironic's tests first)

import os
import stat
from unittest import mock

from ironic.common import pxe_utils

from ironic_multiarch.driver import boot

#: Ironic's initial grub.cfg: 2025.1 and later, and 2024.1.
IRONIC_GRUB = ('echo Booting from $prefix\n\n'
               'source %s/$net_default_mac.conf\n',
               'set default=initial\nset timeout=5\n'
               'set hidden_timeout_quiet=false\n\n'
               'menuentry "initial"  {\n'
               'configfile %s/$net_default_mac.conf\n}')


class SharedFilesTestCase(base.MultiarchDbTestCase):

    def test_item3_ipxe_interface_writes_ironics_boot_ipxe(self):
        self.config(ipxe_fallback_script='inspector.ipxe', group='pxe')
        boot.MultiarchIPXEBoot()
        script = self.read(self.http, 'boot.ipxe')
        self.assertIn('chain pxelinux.cfg/${net${netid}/mac:hexhyp} '
                      '|| goto loop', script)
        self.assertIn('chain inspector.ipxe | goto boot_failed', script)
        self.assertNotIn('net2/mac', script)

    # Ironic reads [pxe]pxe_config_subdir when pxe_utils is imported (in
    # a conductor: after its configuration is parsed).
    @mock.patch.object(pxe_utils, 'PXE_CFG_DIR_NAME', 'ipxe.d')
    def test_item3_boot_ipxe_follows_pxe_config_subdir(self):
        self.config(pxe_config_subdir='ipxe.d', group='pxe')
        boot.MultiarchIPXEBoot()
        self.assertIn('chain ipxe.d/${mac:hexhyp}',
                      self.read(self.http, 'boot.ipxe'))

    def test_item4_pxe_interface_writes_ironics_grub_cfg(self):
        # Ironic's default, which its own test base unsets.
        self.config(initial_grub_template=os.path.join(
            os.path.dirname(pxe_utils.__file__), '..', 'drivers', 'modules',
            'initial_grub_cfg.template'), group='pxe')
        boot.MultiarchPXEBoot()
        for root in (self.tftp, self.http):
            self.assertIn(self.read(root, 'grub/grub.cfg'),
                          [text % self.tftp for text in IRONIC_GRUB])
        self.assertFalse(os.path.exists(os.path.join(self.http,
                                                     'boot.ipxe')))

    def test_item5_loaders_get_file_and_dir_permission(self):
        self.config(file_permission=0o600, dir_permission=0o711,
                    group='pxe')
        old = os.umask(0o022)
        try:
            boot.MultiarchPXEBoot()
        finally:
            os.umask(old)
        path = os.path.join(self.tftp, 'multiarch', 'aarch64',
                            'grubaa64.efi')
        self.assertEqual(0o600, stat.S_IMODE(os.stat(path).st_mode))
        self.assertEqual(0o711, stat.S_IMODE(
            os.stat(os.path.dirname(path)).st_mode))
