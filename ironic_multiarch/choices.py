"""Each planned value of a node, chosen by the documented precedence.

Pure: called by :func:`ironic_multiarch.plan.plan` with checked facts.
"""

import dataclasses
import itertools

from ironic_multiarch import exception
from ironic_multiarch import paths
from ironic_multiarch import precedence as prec
from ironic_multiarch import safety

BOOT_MODES = ('uefi', 'bios')
INSTANCE = 'instance'

#: image roles per mode (kernel role, ramdisk role).
ROLES = {'deploy': ('deploy_kernel', 'deploy_ramdisk'),
         'rescue': ('rescue_kernel', 'rescue_ramdisk'),
         INSTANCE: ('kernel', 'ramdisk')}


@dataclasses.dataclass(frozen=True)
class LoaderFile:
    """A loader file an architecture needs in its directory of the roots."""

    name: str
    path: str
    source: object


def boot_method(facts, profile, node):
    boot_mode = facts.boot_mode or 'uefi'
    if boot_mode not in BOOT_MODES:
        raise exception.InvalidSetting(
            'boot mode %r is not one of %s' % (boot_mode,
                                               ', '.join(BOOT_MODES)),
            node=node, arch=profile.name, option='capabilities boot_mode',
            example='openstack baremetal node set --property '
                    'capabilities=boot_mode:uefi %s' % node)
    method = profile.method_for(boot_mode)
    if method is None:
        raise exception.InvalidSetting(
            'boot mode %s is not possible on %s, which boots in: %s'
            % (boot_mode, profile.name, ', '.join(profile.boot_modes)),
            node=node, arch=profile.name, option='capabilities boot_mode',
            example='openstack baremetal node set --property '
                    'capabilities=boot_mode:%s %s'
                    % (profile.boot_modes[0], node))
    return boot_mode, method


def loader(ipxe, settings, profile, method, node):
    if ipxe and method.ipxe_loader:
        return prec.Chosen(method.ipxe_loader,
                           'boot interface multiarch-ipxe', prec.NODE)
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
    option = ('[pxe]pxe_bootfile_name_by_arch'
              if loader.config_format != 'ipxe'
              else '[pxe]ipxe_bootfile_name_by_arch')
    for level, source, value in prec.by_arch(settings, profile, option):
        if value and loader.bootfile:
            name = safety.file_name(value, node, profile.name, source)
            known = [ld for ld in method.loaders if ld.bootfile == name]
            if known:
                return prec.Chosen(known[0], source, level)
            # Keep the default loader's files: a renamed shim still
            # loads GRUB from its own directory.
            files = (name,) + tuple(f for f in loader.files if f != name)
            return prec.Chosen(dataclasses.replace(
                loader, bootfile=name, files=files), source, level)
    return prec.Chosen(loader, 'profile %s' % profile.name, prec.PROFILE)


def images(facts, settings, profile, node):
    chosen = []
    for role in ROLES[facts.mode]:
        if facts.mode == INSTANCE:
            candidates = [(prec.NODE, 'instance_info/%s' % role,
                           facts.instance_info.get(role))]
            option, example = 'instance_info/%s' % role, None
        else:
            candidates = [(prec.NODE, 'driver_info/%s' % role,
                           facts.driver_info.get(role)),
                          (prec.ARCH_GROUP, '[multiarch_%s]%s'
                           % (profile.name, role),
                           settings.for_arch(profile.name).images.get(role))]
            # lazily: Ironic's options are read only if reached
            candidates = itertools.chain(
                candidates,
                prec.by_arch(settings, profile,
                             '[conductor]%s_by_arch' % role),
                prec.ironic_global(settings, profile.name,
                                   '[conductor]%s' % role))
            option = '[multiarch_%s]%s (or the node\'s driver_info/%s)' % (
                profile.name, role, role)
            example = 'http://images.example.com/ipa-%s.%s' % (
                profile.name, role.split('_')[-1])
        found = prec.first(candidates)
        if found is None:
            raise exception.MissingSetting(
                'no %s is set for this architecture' % role, node=node,
                arch=profile.name, option=option, example=example)
        safety.href(found.value, node, profile.name, found.source)
        chosen.append((role, found))
    return chosen


def kernel_params(facts, settings, profile, node):
    group = settings.for_arch(profile.name)
    candidates = [(prec.NODE, 'driver_info/kernel_append_params',
                   facts.driver_info.get('kernel_append_params')),
                  (prec.ARCH_GROUP,
                   '[multiarch_%s]kernel_append_params' % profile.name,
                   group.kernel_append_params),
                  (prec.PROFILE, 'profile %s' % profile.name,
                   profile.kernel_append_params)]
    candidates = itertools.chain(candidates, prec.ironic_global(
        settings, profile.name, '[pxe]kernel_append_params'))
    base = prec.first(candidates, empty_is_unset=False) or prec.Chosen(
        '', 'no kernel arguments set', prec.PROFILE)
    args = safety.kernel_args(base.value, node, profile.name, base.source)
    given = [a for a in args if a.startswith('console=')]
    if given:
        console = prec.Chosen(' '.join(given), base.source, base.level)
        console_args = ()
    else:
        console = prec.first([
            (prec.ARCH_GROUP, '[multiarch_%s]console' % profile.name,
             group.console),
            (prec.PROFILE, 'profile %s' % profile.name, profile.console),
        ], empty_is_unset=False) or prec.Chosen('', 'no console set',
                                                prec.PROFILE)
        console_args = safety.kernel_args(console.value, node, profile.name,
                                          console.source)
    extra = safety.kernel_args(' '.join(facts.extra_kernel_params), node,
                               profile.name, 'the conductor settings')
    final = ' '.join(args + console_args + extra)
    return prec.Chosen(final, base.source, base.level), console


def loader_files(settings, profile, loader):
    """The loader files of ``loader`` and the host path of each.

    The one exception to the order of levels: for the architecture
    Ironic's global options belong to, an operator's explicit
    ``[pxe]loader_file_paths`` comes before the profile's host path,
    which is only where a Debian-family host usually keeps the file.
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
    return tuple(files)
