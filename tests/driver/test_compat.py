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

"""Release differences (``driver/compat.py``) on the running Ironic.

Each private Ironic helper the plugin uses is asserted here by name and
signature, so a release that removes or changes one fails this file
loudly instead of failing a deployment.
"""

import ironic.tests.unit  # noqa: F401  (must come first)

import importlib.metadata
import inspect
import os
from unittest import mock

from ironic.common import exception
from ironic.common.glance_service import image_service as glance_service
from ironic.common import image_service
from ironic.common import pxe_utils
from ironic.common import states
from ironic.conductor import task_manager
from ironic.drivers.modules import deploy_utils
from ironic.drivers.modules import ramdisk

from ironic_multiarch.driver import compat
from tests.driver import base

GLANCE_IMAGE = 'b2f0f2a1-6c2e-4a53-9d76-4f0cb1c0d3e7'


class PrivateHelpersTestCase(base.MultiarchDbTestCase):
    """The Ironic internals compat.py reaches for still exist."""

    def test_tftp_image_cache(self):
        cache = pxe_utils.TFTPImageCache()
        self.assertTrue(callable(cache.clean_up))

    def test_cache_ramdisk_kernel_signature(self):
        self.assertEqual(
            ['task', 'pxe_info', 'ipxe_enabled'],
            list(inspect.signature(
                pxe_utils.cache_ramdisk_kernel).parameters))

    def test_create_ipxe_boot_script_signature(self):
        self.assertEqual([], list(inspect.signature(
            pxe_utils.create_ipxe_boot_script).parameters))

    def test_parent_interface_helpers(self):
        # The boot interfaces call these methods of their parent class.
        from ironic.drivers.modules import pxe_base
        self.assertEqual(['self', 'task', 'persistent'], list(
            inspect.signature(pxe_base.PXEBaseMixin
                              ._node_set_boot_device_for_network_boot)
            .parameters))
        self.assertEqual(['self'], list(inspect.signature(
            pxe_base.PXEBaseMixin._use_http_folder).parameters))

    def test_file_image_service_validate_href(self):
        service = image_service.FileImageService()
        self.assertTrue(callable(service.validate_href))

    def test_get_instance_image_info_signature(self):
        self.assertEqual(
            ['task', 'ipxe_enabled'],
            list(inspect.signature(
                pxe_utils.get_instance_image_info).parameters))


class GlanceRamdiskDeployTestCase(base.MultiarchDbTestCase):
    """A ramdisk deploy whose kernel and ramdisk come from a Glance image.

    2026.2's ramdisk deploy copies the image's kernel_id and ramdisk_id
    into instance_info in ``prepare``. 2024.1 and 2025.1 do not: there
    ``deploy_utils.get_image_instance_info`` requires instance_info
    kernel and ramdisk for a ramdisk deploy, with Ironic's own boot
    interfaces too.
    """

    def setUp(self):
        super().setUp()
        self.kernel = self.image('aarch64', 'user_kernel')
        self.ramdisk = self.image('aarch64', 'user_ramdisk')
        glance = mock.create_autospec(glance_service.GlanceImageService,
                                      instance=True)
        glance.show.return_value = {
            'id': GLANCE_IMAGE, 'disk_format': 'raw',
            'container_format': 'bare',
            'properties': {'kernel_id': self.kernel,
                           'ramdisk_id': self.ramdisk}}
        real = image_service.get_image_service

        def get_image_service(href, *args, **kwargs):
            if href == GLANCE_IMAGE:
                return glance
            return real(href, *args, **kwargs)

        self.useFixture(__import__('fixtures').MockPatchObject(
            image_service, 'get_image_service', autospec=True,
            side_effect=get_image_service))
        node = self.make_node(
            'aarch64', provision_state=states.DEPLOYING,
            target_provision_state=states.ACTIVE,
            instance_info={'image_source': GLANCE_IMAGE},
            driver_internal_info={'is_whole_disk_image': False},
            network_interface='noop')
        node.deploy_interface = 'ramdisk'
        node.save()
        self.node = node

    def test_prepare_and_deploy_boot_the_glance_kernel(self):
        if not compat.RAMDISK_READS_GLANCE:
            self.skipTest('this Ironic needs instance_info kernel and '
                          'ramdisk for a ramdisk deploy')
        with task_manager.acquire(self.context, self.node.uuid) as task:
            task.driver.deploy.prepare(task)
            task.driver.deploy.deploy(task)
            instance_info = task.node.instance_info
        self.assertEqual(self.kernel, instance_info['kernel'])
        self.assertEqual(self.ramdisk, instance_info['ramdisk'])
        files = sorted(os.listdir(os.path.join(self.tftp, self.node.uuid)))
        kernels = [self.read(self.tftp, os.path.join(self.node.uuid, f))
                   for f in files if 'kernel' in f]
        self.assertEqual(['aarch64 user_kernel\n'], kernels)


class CheckRamdiskImageSourceTestCase(GlanceRamdiskDeployTestCase):
    """compat.check_ramdisk_image_source on each release."""

    def test_release_expectation(self):
        major = int(importlib.metadata.version('ironic').split('.')[0])
        # 2024.1 is 24.x, 2025.1 is 29.x; 2026.2 (39.x) reads Glance.
        self.assertEqual(major >= 39, compat.RAMDISK_READS_GLANCE)
        self.assertEqual(compat.RAMDISK_READS_GLANCE, hasattr(
            ramdisk.RamdiskDeploy, '_resolve_image_info_from_glance'))

    def test_glance_only_ramdisk(self):
        with task_manager.acquire(self.context, self.node.uuid) as task:
            if compat.RAMDISK_READS_GLANCE:
                self.assertIsNone(compat.check_ramdisk_image_source(task))
                return
            # What Ironic itself does at deploy time on this release.
            self.assertRaises(exception.MissingParameterValue,
                              deploy_utils.get_image_instance_info,
                              task.node)
            exc = self.assertRaises(exception.MissingParameterValue,
                                    compat.check_ramdisk_image_source, task)
        self.assertEqual(
            'Node 1be26c0b-03f2-4d2e-ae87-c02d7f33c123 (cpu_arch aarch64): '
            'a ramdisk deploy from Glance image %s needs instance_info '
            "kernel and ramdisk on this Ironic release (it reads the "
            "image's kernel_id and ramdisk_id from 2026.2 on). Set "
            'instance_info/kernel and instance_info/ramdisk, for example '
            'openstack baremetal node set '
            '1be26c0b-03f2-4d2e-ae87-c02d7f33c123 --instance-info '
            'kernel=<kernel image UUID or URL> --instance-info '
            'ramdisk=<ramdisk image UUID or URL>.' % GLANCE_IMAGE,
            str(exc))

    def test_instance_info_kernel_and_ramdisk_are_enough(self):
        with task_manager.acquire(self.context, self.node.uuid) as task:
            task.node.instance_info = {'kernel': self.kernel,
                                       'ramdisk': self.ramdisk,
                                       'image_source': GLANCE_IMAGE}
            self.assertIsNone(compat.check_ramdisk_image_source(task))

    def test_not_a_ramdisk_deploy(self):
        with task_manager.acquire(self.context, self.node.uuid) as task:
            task.node.deploy_interface = 'direct'
            self.assertIsNone(compat.check_ramdisk_image_source(task))
