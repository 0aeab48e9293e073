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

"""Each planned value of a node, chosen by the documented precedence.

Pure: called by :func:`ironic_multiarch.plan.plan` with checked facts.
"""

import itertools

from ironic_multiarch import exception
from ironic_multiarch import precedence as prec
from ironic_multiarch.profiles import base as profile_base
from ironic_multiarch import safety
from ironic_multiarch import settings as settings_mod

BOOT_MODES = ('uefi', 'bios')
INSTANCE = 'instance'

#: image roles per mode (kernel role, ramdisk role).
ROLES = {'deploy': ('deploy_kernel', 'deploy_ramdisk'),
         'rescue': ('rescue_kernel', 'rescue_ramdisk'),
         INSTANCE: ('kernel', 'ramdisk')}


def methods(settings, profile):
    """The boot methods an architecture's nodes may get.

    The profile's methods, or, when ``[multiarch_<arch>]boot_method``
    names one, that method and the methods of boot modes it does not
    serve.
    """
    chosen = settings.for_arch(profile.name).boot_method
    if not chosen:
        return tuple(profile.methods)
    selected = profile.method(chosen)
    return (selected,) + tuple(
        m for m in profile.methods if m is not selected
        and not set(m.boot_modes) <= set(selected.boot_modes))


def boot_method(facts, profile, node, settings=None):
    boot_mode = facts.boot_mode or 'uefi'
    if boot_mode not in BOOT_MODES:
        raise exception.InvalidSetting(
            'boot mode %r is not one of %s' % (boot_mode,
                                               ', '.join(BOOT_MODES)),
            node=node, arch=profile.name, option='capabilities boot_mode',
            example='openstack baremetal node set --property '
                    'capabilities=boot_mode:uefi %s' % node)
    chosen = settings and settings.for_arch(profile.name).boot_method
    if chosen:
        method = profile.method(chosen)
        if boot_mode not in method.boot_modes:
            raise exception.InvalidSetting(
                'boot mode %s is not possible with its %s firmware, which '
                'boots in: %s' % (boot_mode, method.firmware,
                                  ', '.join(method.boot_modes)),
                node=node, arch=profile.name,
                option='capabilities boot_mode (or [multiarch_%s]'
                       'boot_method)' % profile.name,
                example='openstack baremetal node set --property '
                        'capabilities=boot_mode:%s %s'
                        % (method.boot_modes[0], node))
        return boot_mode, method
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


def _partner(source, role, partner):
    """The name of ``partner`` at the place ``source`` names ``role``."""
    return source.replace(role, partner)


def images(facts, settings, profile, node):
    """The kernel and ramdisk of the node's mode, both from one place.

    Like Ironic, a kernel and its ramdisk are a pair: a node-level kernel
    with an architecture-level ramdisk boots a kernel with a ramdisk it
    was not built with, so the pair must come from one level.

    :returns: ``[(kernel role, Chosen), (ramdisk role, Chosen)]``.
    :raises MissingSetting: a kernel or ramdisk is set nowhere.
    :raises InvalidSetting: kernel and ramdisk come from different levels.
    :raises UnsafeValue: an image reference cannot be written in a file.
    """
    chosen = []
    for role in ROLES[facts.mode]:
        if facts.mode == INSTANCE:
            candidates = [(prec.NODE, 'instance_info/%s' % role,
                           facts.instance_info.get(role))]
            option, example = 'instance_info/%s' % role, None
        else:
            own = '[multiarch_%s]%s' % (profile.name, role)
            candidates = [(prec.NODE, 'driver_info/%s' % role,
                           facts.driver_info.get(role)),
                          (prec.ARCH_GROUP, own,
                           settings.for_arch(profile.name).images.get(role))]
            # lazily: Ironic's options are read only if reached
            candidates = itertools.chain(
                candidates,
                prec.by_arch(settings, profile,
                             '[conductor]%s_by_arch' % role),
                prec.ironic_global(settings, profile.name,
                                   '[conductor]%s' % role))
            option = '%s (or the node\'s driver_info/%s)' % (own, role)
            example = 'http://images.example.com/ipa-%s.%s' % (
                profile.name, role.split('_')[-1])
        found = prec.first(candidates)
        if found is None:
            problem = 'no %s is set for this architecture' % role
            unclaimed = facts.mode != INSTANCE and prec.unclaimed_hint(
                settings, '[conductor]%s' % role, profile.name, option)
            if unclaimed:
                problem = '%s; %s' % (problem, unclaimed[0])
                option = unclaimed[1]
            raise exception.MissingSetting(
                problem, node=node, arch=profile.name, option=option,
                example=example)
        safety.href(found.value, node, profile.name, found.source)
        chosen.append((role, found))
    (kernel_role, kernel), (ramdisk_role, ramdisk) = chosen
    if kernel.level != ramdisk.level:
        if kernel.level < ramdisk.level:
            missing = _partner(kernel.source, kernel_role, ramdisk_role)
            extra, kind = kernel.source, 'ramdisk'
        else:
            missing = _partner(ramdisk.source, ramdisk_role, kernel_role)
            extra, kind = ramdisk.source, 'kernel'
        raise exception.InvalidSetting(
            'its %s comes from %s but its %s from %s; a kernel and its '
            'ramdisk must come from the same place, or the kernel boots a '
            'ramdisk it was not built with'
            % (kernel_role, kernel.source, ramdisk_role, ramdisk.source),
            node=node, arch=profile.name,
            option='%s (or unset %s)' % (missing, extra),
            example='http://images.example.com/ipa-%s.%s'
            % (profile.name, kind))
    return chosen


#: Arguments Ironic's templates put first on a ramdisk instance's
#: kernel line (``boot_ramdisk``), before ``[pxe]kernel_append_params``.
INSTANCE_ARGS = ('root=/dev/ram0', 'text')
#: Arguments Ironic's templates put first on the deploy (and rescue)
#: entry of every format (``deploy``), before the append parameters.
DEPLOY_ARGS = ('selinux=0', 'troubleshoot=0', 'text')
DEFAULT_PLACEHOLDER = '%default%'


def _consoles(args):
    return tuple(a for a in args if a.startswith('console='))


def _arch_console(settings, profile):
    """The architecture's own console: its group, then its profile."""
    return prec.first([
        (prec.ARCH_GROUP, '[multiarch_%s]console' % profile.name,
         settings.for_arch(profile.name).console),
        (prec.PROFILE, 'profile %s' % profile.name, profile.console),
    ], empty_is_unset=False) or prec.Chosen('', 'no console set',
                                            prec.PROFILE)


def _default_params(settings, profile, node):
    """What a node gets without its own ``kernel_append_params``.

    :returns: ``(base, args, console)``: the :class:`Chosen` base
        arguments, the arguments with the console in place, and the
        :class:`Chosen` console.
    """
    group = settings.for_arch(profile.name)
    ironic = settings.ironic.globals.get(prec.KERNEL_APPEND_PARAMS)
    if group.kernel_append_params is not None:
        base = prec.Chosen(group.kernel_append_params,
                           '[multiarch_%s]kernel_append_params'
                           % profile.name, prec.ARCH_GROUP)
    elif ironic is not None:
        # Not tied to an architecture, except for its consoles.
        args = safety.kernel_args(ironic, node, profile.name,
                                  prec.KERNEL_APPEND_PARAMS)
        if (profile.name != settings.global_options_arch
                and _consoles(args)):
            base = prec.Chosen(
                ' '.join(a for a in args if not a.startswith('console=')),
                '%s without its console= arguments (they are for '
                '[multiarch]global_options_arch)'
                % prec.KERNEL_APPEND_PARAMS, prec.IRONIC_GLOBAL)
        else:
            base = prec.Chosen(ironic, prec.KERNEL_APPEND_PARAMS,
                               prec.IRONIC_GLOBAL)
    elif profile.kernel_append_params is not None:
        base = prec.Chosen(profile.kernel_append_params,
                           'profile %s' % profile.name, prec.PROFILE)
    else:
        base = prec.Chosen('', 'no kernel arguments set', prec.PROFILE)
    args = safety.kernel_args(base.value, node, profile.name, base.source)
    given = _consoles(args)
    if given:
        return base, args, prec.Chosen(' '.join(given), base.source,
                                       base.level)
    console = _arch_console(settings, profile)
    return base, args + safety.kernel_args(console.value, node, profile.name,
                                           console.source), console


def kernel_params(facts, settings, profile, node, config_format=None):
    """The kernel arguments of the node's entry, in Ironic's order.

    ``instance_info/kernel_append_params``, else
    ``driver_info/kernel_append_params`` (``%default%`` in it replaced by
    what the node gets without it), else the architecture's default; the
    architecture's console unless a ``console=`` is given; ``ipa-debug=1``
    with ``[DEFAULT]debug`` unless the arguments mention ``ipa-debug``;
    the conductor's ramdisk arguments; ``ipa-global-request-id``. As in
    Ironic's templates, a deploy or rescue entry starts with
    ``selinux=0 troubleshoot=0 text`` and, in GRUB, ends with
    ``boot_server=<[pxe]tftp_server>``; a ramdisk instance starts with
    ``root=/dev/ram0 text`` and ends with
    ``instance_info/ramdisk_kernel_arguments``.

    :param config_format: the format of the node's config (``grub``
        adds ``boot_server=`` to a deploy or rescue entry).
    :returns: ``(Chosen arguments, Chosen console)``.
    :raises MissingSetting: a GRUB deploy entry and no
        ``[pxe]tftp_server``.
    :raises UnsafeValue: an argument cannot be written in a boot file.
    """
    base, default_args, default_console = _default_params(settings, profile,
                                                          node)
    own = prec.first([
        (prec.NODE, 'instance_info/kernel_append_params',
         facts.instance_info.get('kernel_append_params')),
        (prec.NODE, 'driver_info/kernel_append_params',
         facts.driver_info.get('kernel_append_params')),
    ], empty_is_unset=False)
    if own is None:
        source, args, console = base.source, default_args, default_console
    else:
        if not isinstance(own.value, str):
            safety.kernel_args(own.value, node, profile.name, own.source)
        placeholder = DEFAULT_PLACEHOLDER in own.value
        args = safety.kernel_args(
            own.value.replace(DEFAULT_PLACEHOLDER, ' '.join(default_args)),
            node, profile.name, own.source)
        source = own.source
        if placeholder:
            source = '%s (%s from %s)' % (own.source, DEFAULT_PLACEHOLDER,
                                          base.source)
        own_consoles = _consoles(safety.kernel_args(
            own.value.replace(DEFAULT_PLACEHOLDER, ' '), node, profile.name,
            own.source))
        if own_consoles:
            console = prec.Chosen(' '.join(_consoles(args)), own.source,
                                  own.level)
        elif placeholder and _consoles(args):
            console = default_console
        else:
            console = _arch_console(settings, profile)
            args += safety.kernel_args(console.value, node, profile.name,
                                       console.source)
    debug = (('ipa-debug=1',) if settings.ironic.debug
             and 'ipa-debug' not in ' '.join(args) else ())
    extra = safety.kernel_args(' '.join(facts.extra_kernel_params), node,
                               profile.name, 'the conductor settings')
    request = ()
    if facts.global_request_id:
        request = safety.kernel_args(
            'ipa-global-request-id=%s' % facts.global_request_id, node,
            profile.name, "the request's global id")
        if len(request) != 1:
            raise exception.UnsafeValue(
                'global request id %r is not one kernel argument'
                % facts.global_request_id, node=node, arch=profile.name,
                option="the request's global id",
                example='req-0d5c7d2e-3c4b-4c36-9a52-cf0a4c8a3a11')
    final = args + debug + extra + request
    if facts.mode == INSTANCE:
        final = INSTANCE_ARGS + final + safety.kernel_args(
            facts.instance_info.get('ramdisk_kernel_arguments') or '', node,
            profile.name, 'instance_info/ramdisk_kernel_arguments')
    else:
        final = DEPLOY_ARGS + final
        # pxe_grub_config.template alone ends the entry with it.
        if config_format == profile_base.GRUB:
            server = settings_mod.tftp_server(settings, node, profile.name)
            final += safety.kernel_args('boot_server=%s' % server, node,
                                        profile.name, '[pxe]tftp_server')
    level = base.level if own is None else own.level
    return prec.Chosen(' '.join(final), source, level), console
