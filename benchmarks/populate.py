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

"""Fill a stopped-or-running Ironic's sqlite database with N nodes + ports.

Run with the conductor's interpreter: ``python benchmarks/populate.py
CONFIG N``. Uses Ironic's own DB API (what the API itself calls), so a
10,000-node fleet takes seconds instead of ten minutes of POSTs.
"""

import sys

import ironic.tests.unit  # noqa: F401  (oslo ordering, see tests/driver)
from ironic.db import api as dbapi
from ironic.tests.unit.db import utils as db_utils
from oslo_config import cfg

KINDS = (('x86_64', 'bios', 'multiarch-pxe'),
         ('x86_64', 'uefi', 'multiarch-ipxe'),
         ('aarch64', 'uefi', 'multiarch-pxe'),
         ('ppc64le', 'uefi', 'multiarch-pxe'))


def main(config, count):
    cfg.CONF(['--config-file', config], project='ironic')
    db = dbapi.get_instance()
    for i in range(count):
        arch, mode, iface = KINDS[i % len(KINDS)]
        uuid = '5a1e%04x-0000-4000-8000-%012d' % (i >> 16, i & 0xffff)
        node = db_utils.get_test_node(
            uuid=uuid, name='bench-%05d' % i, driver='multiarch-manual',
            boot_interface=iface, power_interface='fake',
            management_interface='fake', deploy_interface='direct',
            properties={'cpu_arch': arch,
                        'capabilities': 'boot_mode:%s' % mode},
            driver_info={}, instance_info={}, provision_state='available',
            reservation=None, conductor_affinity=None)
        for key in ('id', 'tags', 'traits'):
            node.pop(key, None)
        created = db.create_node(node)
        port = db_utils.get_test_port(
            uuid='5a1f%04x-0000-4000-8000-%012d' % (i >> 16, i & 0xffff),
            node_id=created.id, address='52:54:01:%02x:%02x:%02x'
            % (i >> 16 & 255, i >> 8 & 255, i & 255), portgroup_id=None,
            pxe_enabled=True, extra={})
        port.pop('id')
        db.create_port(port)


if __name__ == '__main__':
    main(sys.argv[1], int(sys.argv[2]))
