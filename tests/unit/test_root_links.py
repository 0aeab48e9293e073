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

"""Shim's second stage at the root of each server: a link, never a copy
over someone else's file."""

import os
from unittest import mock

from ironic_multiarch import loader_choice
from ironic_multiarch import precedence as prec
from ironic_multiarch import tree
from tests.unit import fakes

LINK = loader_choice.LoaderFile('grubaa64.efi', 'grubaa64.efi', None,
                          link='multiarch/aarch64/grubaa64.efi')


def _source(tmp_path, data=b'MZ arm64 grub'):
    path = tmp_path / 'grubaa64.efi.src'
    path.write_bytes(data)
    return loader_choice.LoaderFile(
        'grubaa64.efi', 'multiarch/aarch64/grubaa64.efi',
        prec.Chosen(str(path), 'test', prec.ARCH_GROUP))


def test_shim_plan_links_its_grub_at_the_root():
    result = fakes.make_plan(cpu_arch='aarch64', secure_boot=True)
    assert [(f.name, f.path, f.link) for f in result.loader_files] == [
        ('bootaa64.efi', 'multiarch/aarch64/bootaa64.efi', None),
        ('grubaa64.efi', 'multiarch/aarch64/grubaa64.efi', None),
        ('grubaa64.efi', 'grubaa64.efi', 'multiarch/aarch64/grubaa64.efi')]


def test_grub_plan_has_no_root_link():
    result = fakes.make_plan(cpu_arch='aarch64')
    assert [f.link for f in result.loader_files] == [None]


def test_place_loaders_links_the_root_after_copying(tmp_path):
    roots = {'tftp': str(tmp_path / 'tftp'), 'http': str(tmp_path / 'http')}
    assert tree.place_loaders(roots, [_source(tmp_path), LINK]) == []
    for root in roots.values():
        dest = os.path.join(root, 'grubaa64.efi')
        assert os.readlink(dest) == 'multiarch/aarch64/grubaa64.efi'
        with open(dest, 'rb') as f:
            assert f.read() == b'MZ arm64 grub'


def test_a_regular_file_at_the_root_is_kept_with_a_warning(tmp_path):
    root = tmp_path / 'tftp'
    root.mkdir()
    (root / 'grubaa64.efi').write_bytes(b'stock grub')
    # The logger itself: other tests may reconfigure logging handlers.
    with mock.patch.object(tree, 'LOG', autospec=True) as log:
        tree.place_loaders({'tftp': str(root)}, [_source(tmp_path), LINK])
    assert not os.path.islink(root / 'grubaa64.efi')
    assert (root / 'grubaa64.efi').read_bytes() == b'stock grub'
    (message, values), = [c.args for c in log.warning.call_args_list]
    assert 'is not the loader' in message % values
    assert values['arch'] == 'aarch64'


def test_the_same_file_at_the_root_is_kept_silently(tmp_path):
    root = tmp_path / 'tftp'
    root.mkdir()
    (root / 'grubaa64.efi').write_bytes(b'MZ arm64 grub')
    with mock.patch.object(tree, 'LOG', autospec=True) as log:
        tree.place_loaders({'tftp': str(root)}, [_source(tmp_path), LINK])
    assert not os.path.islink(root / 'grubaa64.efi')
    log.warning.assert_not_called()


def test_a_dangling_link_is_replaced(tmp_path):
    root = tmp_path / 'tftp'
    root.mkdir()
    os.symlink('gone/grubaa64.efi', root / 'grubaa64.efi')
    tree.place_loaders({'tftp': str(root)}, [_source(tmp_path), LINK])
    assert os.readlink(root / 'grubaa64.efi') == (
        'multiarch/aarch64/grubaa64.efi')


def test_missing_root_link_is_reported(tmp_path):
    root = tmp_path / 'tftp'
    (root / 'multiarch' / 'aarch64').mkdir(parents=True)
    (root / 'multiarch' / 'aarch64' / 'grubaa64.efi').write_bytes(b'x')
    assert [p for _, p in tree.missing_loaders(str(root), [LINK])] == [
        str(root / 'grubaa64.efi')]
