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

"""Tests of :mod:`ironic_multiarch.paths`: names firmware looks for."""

import pytest

from ironic_multiarch import exception
from ironic_multiarch import paths
from tests.unit import fakes

U = fakes.UUID
M = fakes.MAC


def test_node_files():
    assert paths.node_dir(U) == U
    assert paths.config(U) == U + '/config'
    assert [paths.image(U, r) for r in sorted(paths.IMAGE_FILES)] == [
        U + '/deploy_kernel', U + '/deploy_ramdisk', U + '/kernel',
        U + '/ramdisk', U + '/rescue_kernel', U + '/rescue_ramdisk']
    with pytest.raises(KeyError):
        paths.image(U, 'initrd')


def test_loader_in_arch_directory():
    assert paths.loader('multiarch', 'aarch64', 'bootaa64.efi') == (
        'multiarch/aarch64/bootaa64.efi')
    with pytest.raises(exception.UnsafeValue):
        paths.loader('multiarch', '..', '../x')


@pytest.mark.parametrize('fmt,client_id,expected', [
    ('grub', None, ('grub.cfg-01-52-54-00-12-34-56', M + '.conf')),
    ('pxelinux', None, ('pxelinux.cfg/01-52-54-00-12-34-56',)),
    ('petitboot', None, ('pxelinux.cfg/01-52-54-00-12-34-56',)),
    ('pxelinux', 'ff:00', ('pxelinux.cfg/20-52-54-00-12-34-56',)),
    ('ipxe', None, ('pxelinux.cfg/52-54-00-12-34-56',)),
])
def test_mac_links(fmt, client_id, expected):
    assert paths.mac_links(fmt, M, client_id) == expected


def test_pxelinux_links_beside_the_loader():
    assert paths.mac_links('pxelinux', M, None, 'multiarch/x86_64') == (
        'multiarch/x86_64/pxelinux.cfg/01-52-54-00-12-34-56',)
    # only pxelinux is loaded from a directory it takes as its prefix
    assert paths.mac_links('ipxe', M, None, 'multiarch/x86_64') == (
        'pxelinux.cfg/52-54-00-12-34-56',)
    assert paths.mac_links('petitboot', M, None, 'multiarch/x86_64') == (
        'pxelinux.cfg/01-52-54-00-12-34-56',)
    assert paths.all_mac_links(M, None, ('multiarch/x86_64',))[-1] == (
        'multiarch/x86_64/pxelinux.cfg/01-52-54-00-12-34-56')


def test_all_mac_links():
    assert paths.all_mac_links(M) == (
        'grub.cfg-01-52-54-00-12-34-56', M + '.conf',
        'pxelinux.cfg/01-52-54-00-12-34-56', 'pxelinux.cfg/52-54-00-12-34-56')
    assert paths.all_mac_links(M, 'ff:00') == (
        'grub.cfg-01-52-54-00-12-34-56', M + '.conf',
        'pxelinux.cfg/20-52-54-00-12-34-56', 'pxelinux.cfg/52-54-00-12-34-56',
        'pxelinux.cfg/01-52-54-00-12-34-56')


def test_config_subdir_names():
    assert paths.mac_links('ipxe', M, None, '', 'ipxe.d') == (
        'ipxe.d/52-54-00-12-34-56',)
    assert paths.mac_links('pxelinux', M, 'ff:00', '', 'ipxe.d') == (
        'ipxe.d/20-52-54-00-12-34-56',)
    assert paths.mac_links('grub', M, None, '', 'ipxe.d') == (
        'grub.cfg-01-52-54-00-12-34-56', M + '.conf')
    assert paths.all_mac_links(M, None, (), 'ipxe.d') == (
        'grub.cfg-01-52-54-00-12-34-56', M + '.conf',
        'ipxe.d/01-52-54-00-12-34-56', 'pxelinux.cfg/01-52-54-00-12-34-56',
        'ipxe.d/52-54-00-12-34-56', 'pxelinux.cfg/52-54-00-12-34-56')
    with pytest.raises(exception.UnsafeValue):
        paths.mac_links('ipxe', M, None, '', '../x')
