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

"""A small whole-disk image that proves a deployed disk boots locally.

The image is a GPT disk with one EFI system partition holding the UEFI
removable-media loaders of both architectures (``EFI/BOOT/BOOTX64.EFI``
and ``EFI/BOOT/BOOTAA64.EFI``). Each is a GRUB built with an embedded
config that prints :data:`LOCAL_BOOT_MARKER` with its own architecture
on the firmware console (the serial log), then waits, so the node stays
powered on as an ``active`` instance. The same image deploys to every
architecture; what prints tells which loader the firmware ran.
"""

import hashlib
import os
import subprocess
import tempfile

from multiarch_lab import images as images_mod

#: Printed by the deployed disk's loader: ``<marker> arch=<arch>``.
LOCAL_BOOT_MARKER = 'ironic-multiarch-local-boot:'
#: The removable-media path of each architecture's UEFI loader.
REMOVABLE_LOADER = {'x86_64': 'BOOTX64.EFI', 'aarch64': 'BOOTAA64.EFI'}
#: The GPT type of an EFI system partition.
ESP_TYPE = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B'
HOST_TOOLS = {'sfdisk': 'fdisk', 'mkfs.vfat': 'dosfstools',
              'mcopy': 'mtools'}
_MODULES = ('echo', 'sleep', 'normal')
_SECTOR = 512
_ESP_START = 2048           # sectors: 1 MiB


def _loader(assets, arch, out_path, workdir):
    """Build a GRUB EFI binary that announces ``arch`` and waits."""
    config = os.path.join(workdir, 'embedded-%s.cfg' % arch)
    with open(config, 'w') as f:
        f.write('echo %s arch=%s\nsleep 86400\n' % (LOCAL_BOOT_MARKER, arch))
    moddir = assets.grub_modules[arch]
    subprocess.run(['grub-mkimage', '-O', images_mod.GRUB_FORMAT[arch],
                    '-d', moddir, '-o', out_path, '-c', config,
                    '-p', '/EFI/BOOT'] + list(_MODULES),
                   check=True, stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT)
    return out_path


def build_local_boot_disk(assets, out_path, size_mib=64,
                          arches=('x86_64', 'aarch64')):
    """Write the whole-disk image (raw, sparse) to ``out_path``.

    :param assets: :class:`~multiarch_lab.assets.Assets` (GRUB modules).
    :param size_mib: the disk's size; the ESP fills it after 1 MiB,
        leaving the backup GPT its 33 sectors.
    :returns: ``(out_path, sha256 hex digest)``.
    """
    disk_sectors = size_mib * 1024 * 1024 // _SECTOR
    esp_sectors = disk_sectors - _ESP_START - 2048
    with tempfile.TemporaryDirectory(
            dir=os.path.dirname(os.path.abspath(out_path))) as work:
        fat = os.path.join(work, 'esp.img')
        subprocess.run(['mkfs.vfat', '-n', 'ESP', '-C', fat,
                        str(esp_sectors * _SECTOR // 1024)], check=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        subprocess.run(['mmd', '-i', fat, '::/EFI', '::/EFI/BOOT'],
                       check=True)
        for arch in arches:
            loader = _loader(assets, arch, os.path.join(work, arch + '.efi'),
                             work)
            subprocess.run(['mcopy', '-i', fat, loader,
                            '::/EFI/BOOT/' + REMOVABLE_LOADER[arch]],
                           check=True)
        tmp = os.path.join(work, 'disk.img')
        with open(tmp, 'wb') as disk:
            disk.truncate(disk_sectors * _SECTOR)
        table = ('label: gpt\nstart=%d, size=%d, type=%s, name="ESP"\n'
                 % (_ESP_START, esp_sectors, ESP_TYPE))
        subprocess.run(['sfdisk', '-q', tmp], input=table, text=True,
                       check=True, stdout=subprocess.PIPE)
        subprocess.run(['dd', 'if=' + fat, 'of=' + tmp, 'bs=1M',
                        'seek=%d' % (_ESP_START * _SECTOR // (1024 * 1024)),
                        'conv=notrunc,sparse', 'status=none'], check=True)
        os.replace(tmp, out_path)
    digest = hashlib.sha256()
    with open(out_path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return out_path, digest.hexdigest()
