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

"""Ironic's image-cache clean-up race, on stock and on multiarch.

Another image's download finishes (and removes its temporary directory in
the master directory) between ``clean_up``'s listing and its ``stat``.
The interleaving is forced on the real file system: the first ``stat`` of
that directory removes it first, as the concurrent download would. Stock
Ironic's call fails; the multiarch interfaces prepare the node.
"""

import ironic.tests.unit  # noqa: F401  (must come first)

import contextlib
import os
import shutil
import tempfile
from unittest import mock

from ironic.common import pxe_utils

from ironic_multiarch.driver import image_cache
from tests.driver import base

UUID = '1be26c0b-03f2-4d2e-ae87-c02d7f33c123'


class ImageCacheRaceTestCase(base.MultiarchDbTestCase):

    @contextlib.contextmanager
    def _download_finishing(self, times=1):
        """Another download's temporary directory, gone at its stat."""
        master = os.path.join(self.tmp, 'master')
        real_stat = os.stat
        state = {'left': times, 'dir': tempfile.mkdtemp(dir=master)}

        def stat(path, *args, **kwargs):
            if (state['left'] and os.fspath(path) == state['dir']):
                state['left'] -= 1
                shutil.rmtree(state['dir'])
                if state['left']:
                    state['dir'] = tempfile.mkdtemp(dir=master)
            return real_stat(path, *args, **kwargs)

        with mock.patch.object(os, 'stat', stat):
            yield state

    def _images(self, arch):
        return {'kernel': (self.image(arch, 'deploy_kernel'),
                           os.path.join(self.tftp, UUID, 'deploy_kernel')),
                'ramdisk': (self.image(arch, 'deploy_ramdisk'),
                            os.path.join(self.tftp, UUID, 'deploy_ramdisk'))}

    def test_stock_cache_fails_on_the_race(self):
        node = self.make_node('aarch64', boot_interface='pxe')
        with self.acquire(node) as task, self._download_finishing() as race:
            exc = self.assertRaises(FileNotFoundError,
                                    pxe_utils.cache_ramdisk_kernel, task,
                                    self._images('aarch64'))
        self.assertEqual(race['dir'], exc.filename)

    def test_multiarch_prepares_the_node_through_the_race(self):
        node = self.make_node('aarch64', provision_state='cleaning')
        with self.acquire(node) as task, self._download_finishing() as race:
            task.driver.boot.prepare_ramdisk(task,
                                             {'ipa-api-url': base.API_URL})
        self.assertEqual(0, race['left'])
        self.assertEqual('aarch64 deploy_kernel\n',
                         self.read(self.tftp, UUID + '/deploy_kernel'))
        self.assertEqual('aarch64 deploy_ramdisk\n',
                         self.read(self.tftp, UUID + '/deploy_ramdisk'))
        self.assertIn('ipa-api-url=%s' % base.API_URL,
                      self.read(self.tftp, UUID + '/config'))

    def test_multiarch_gives_up_after_its_attempts(self):
        node = self.make_node('aarch64')
        with self.acquire(node) as task, self._download_finishing(
                times=image_cache.ATTEMPTS) as race:
            exc = self.assertRaises(FileNotFoundError,
                                    image_cache.cache_ramdisk_kernel, task,
                                    self._images('aarch64'), False)
        self.assertEqual(race['dir'], exc.filename)

    def test_clean_up_through_the_race(self):
        node = self.make_node('x86_64')
        with self.acquire(node) as task:
            with self._download_finishing():
                self.assertRaises(FileNotFoundError,
                                  pxe_utils.TFTPImageCache().clean_up)
            with self._download_finishing() as race:
                image_cache.clean_up(task)
        self.assertEqual(0, race['left'])

    def test_other_missing_files_are_not_retried(self):
        node = self.make_node('x86_64')
        calls = []

        def missing(*args, **kwargs):
            calls.append(args)
            raise FileNotFoundError(2, 'No such file or directory',
                                    os.path.join(self.tftp, UUID, 'x'))

        with self.acquire(node) as task, mock.patch.object(
                pxe_utils, 'cache_ramdisk_kernel', missing):
            self.assertRaises(FileNotFoundError,
                              image_cache.cache_ramdisk_kernel, task,
                              self._images('x86_64'), False)
        self.assertEqual(1, len(calls))
