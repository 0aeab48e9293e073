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

"""Which loader a node gets, and the files it needs in the roots.

Pure: called by :func:`ironic_multiarch.plan.plan` with checked facts,
after :func:`ironic_multiarch.choices.boot_method`.
"""

import dataclasses

from ironic_multiarch import exception
from ironic_multiarch import paths
from ironic_multiarch import precedence as prec
from ironic_multiarch import safety


@dataclasses.dataclass(frozen=True)
class LoaderFile:
    """A loader file an architecture needs in its directory of the roots.

    :param name: the file's name as firmware asks for it.
    :param path: where it is, relative to each root.
    :param source: :class:`~ironic_multiarch.precedence.Chosen` host path
        it is copied from, or ``None``.
    :param link: ``None`` for a copied file; for a name some firmware
        fetches from the root (see ``Loader.root_files``), the path,
        relative to the root, of the file it is a symbolic link to.
        ``source`` is then that file's source.
    """

    name: str
    path: str
    source: object
    link: object = None


#: Ironic's single bootfile options per interface kind and boot mode.
GLOBAL_BOOTFILES = {(False, 'uefi'): '[pxe]uefi_pxe_bootfile_name',
                    (False, 'bios'): '[pxe]pxe_bootfile_name',
                    (True, 'uefi'): '[pxe]uefi_ipxe_bootfile_name',
                    (True, 'bios'): '[pxe]ipxe_bootfile_name'}
SECURE_BOOT = 'instance_info/capabilities secure_boot'
SHIM = 'shim'


def _bootfile_candidates(settings, profile, ipxe, boot_mode):
    """Ironic's bootfile options for a node, in Ironic's own order.

    ``[pxe]*_bootfile_name_by_arch`` with the composite
    ``<arch>-<boot_mode>`` key first (Ironic 2025.1 and later read it;
    2024.1 ignores such keys, which no 2024.1 operator needs), then the
    architecture's own key, then the single option of the boot mode,
    only for the architecture Ironic's global options belong to.
    """
    option = ('[pxe]ipxe_bootfile_name_by_arch' if ipxe
              else '[pxe]pxe_bootfile_name_by_arch')
    table = settings.ironic.by_arch.get(option) or {}
    keys = profile.ironic_arch_keys or (profile.name,)
    for key in ['%s-%s' % (k, boot_mode) for k in keys] + list(keys):
        if key in table:
            yield prec.IRONIC_BY_ARCH, '%s[%s]' % (option, key), table[key]
    single = GLOBAL_BOOTFILES.get((ipxe, boot_mode))
    if single:
        yield from prec.ironic_global(settings, profile.name, single)


def _named(name, base, known, source, level):
    """The loader a bootfile name given by an option stands for.

    A name of one of the method's loaders is that loader; another name
    is ``base`` renamed, keeping the files it loads from its directory
    (a renamed shim still loads GRUB).
    """
    for item in known:
        if item.bootfile == name:
            return prec.Chosen(item, source, level)
    # A shim's own file is replaced by the new name; a GRUB's is kept,
    # since the new name may be a shim that loads it.
    replaced = (name, base.bootfile) if base.name == SHIM else (name,)
    files = (name,) + tuple(f for f in base.files if f not in replaced)
    return prec.Chosen(dataclasses.replace(base, bootfile=name, files=files),
                       source, level)


def loader(ipxe, settings, profile, method, node, boot_mode=None,
           secure_boot=False):
    """The loader a node's firmware is given, and where it was chosen.

    Order: ``[multiarch_<arch>]loaders`` (PXE only), Ironic's
    ``[pxe]*_bootfile_name_by_arch`` (composite key first), Ironic's
    single ``[pxe]*bootfile_name`` option of the boot mode for
    ``[multiarch]global_options_arch`` only, then the profile's default.
    A node asking for Secure Boot through the PXE interface gets its
    architecture's shim whatever was chosen otherwise.

    :param ipxe: the node uses the iPXE boot interface.
    :param boot_mode: the node's Ironic boot mode (default: the first
        one the method serves).
    :param secure_boot: the node asks for UEFI Secure Boot.
    :raises InvalidSetting: an unknown loader name, or Secure Boot on an
        architecture without a shim loader.
    """
    boot_mode = boot_mode or method.boot_modes[0]
    if ipxe and method.ipxe_loader:
        default = method.ipxe_loader
        for level, source, value in _bootfile_candidates(
                settings, profile, True, boot_mode):
            if value:
                name = safety.file_name(value, node, profile.name, source)
                if name == default.bootfile:
                    return prec.Chosen(default, source, level)
                return prec.Chosen(dataclasses.replace(
                    default, bootfile=name, files=(name,)), source, level)
        return prec.Chosen(default, 'boot interface multiarch-ipxe',
                           prec.NODE)
    chosen = _pxe_loader(settings, profile, method, node, boot_mode,
                         secure_boot)
    if not secure_boot or chosen.value.name == SHIM:
        return chosen
    shims = [ld for ld in method.loaders if ld.name == SHIM]
    if not shims:
        raise exception.InvalidSetting(
            'it asks for UEFI Secure Boot but its %s firmware has no shim '
            'loader in the %s profile (loaders: %s)'
            % (method.firmware, profile.name,
               ', '.join(method.loader_names)),
            node=node, arch=profile.name,
            option="the instance's capabilities (secure_boot:false), or a "
                   "%s profile with a shim loader" % profile.name,
            example='openstack baremetal node set --instance-info '
                    'capabilities=\'{"secure_boot": "false"}\' %s' % node)
    return prec.Chosen(shims[0], SECURE_BOOT, prec.NODE)


def _pxe_loader(settings, profile, method, node, boot_mode, secure_boot):
    group = '[multiarch_%s]loaders' % profile.name
    wanted = settings.for_arch(profile.name).loaders.get(method.name)
    if wanted:
        try:
            loader = method.loader(wanted)
        except KeyError:
            raise exception.InvalidSetting(
                'loader %r cannot boot its %s firmware; choose one of %s'
                % (wanted, method.name, ', '.join(method.loader_names)),
                node=node, arch=profile.name, option=group,
                example='%s:%s' % (method.name, method.loaders[0].name)
            ) from None
        return prec.Chosen(loader, '%s[%s]' % (group, method.name),
                           prec.ARCH_GROUP)
    loader = method.loader()
    if loader.bootfile:
        shims = [ld for ld in method.loaders if ld.name == SHIM]
        # Under Secure Boot a name that is none of the profile's loaders
        # is taken as the operator's shim.
        base = shims[0] if secure_boot and shims else loader
        for level, source, value in _bootfile_candidates(
                settings, profile, False, boot_mode):
            if value:
                name = safety.file_name(value, node, profile.name, source)
                return _named(name, base, method.loaders, source, level)
    return prec.Chosen(loader, 'profile %s' % profile.name, prec.PROFILE)


def loader_files(settings, profile, loader):
    """The loader files of ``loader`` and the host path of each.

    The one exception to the order of levels: for the architecture
    Ironic's global options belong to, an operator's explicit
    ``[pxe]loader_file_paths`` comes before the profile's host path,
    which is only where a Debian-family host usually keeps the file.

    The loader's ``root_files`` follow, as links in the root to the
    files in the architecture's directory.
    """
    files = []
    group = settings.for_arch(profile.name).loader_paths
    for name in loader.files:
        candidates = [(prec.ARCH_GROUP, '[multiarch_%s]loader_paths[%s]'
                       % (profile.name, name), group.get(name))]
        if profile.name == settings.global_options_arch:
            candidates.append((prec.IRONIC_GLOBAL,
                               '[pxe]loader_file_paths[%s]' % name,
                               settings.ironic.loader_file_paths.get(name)))
        candidates.append((prec.PROFILE, 'profile %s' % profile.name,
                           profile.loader_paths.get(name)))
        files.append(LoaderFile(
            name, paths.loader(settings.loader_dir, profile.name, name),
            prec.first(candidates)))
    # After the files they link to: placed once those are in place.
    for item in [f for f in files if f.name in loader.root_files]:
        files.append(LoaderFile(item.name, safety.relpath(item.name),
                                item.source, link=item.path))
    return tuple(files)
