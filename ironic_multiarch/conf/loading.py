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

"""Turns registered options into planner :class:`Settings`, loudly.

A bad setting (unknown profile, alias to nothing, unknown loader or format,
unreadable template) raises :class:`~ironic_multiarch.exception.ConfigError`
here, when the conductor or the CLI starts, not when a node boots.
"""

from ironic_multiarch import arch as arch_mod
from ironic_multiarch.conf import arch_group
from ironic_multiarch.conf import multiarch
from ironic_multiarch import exception
from ironic_multiarch.profiles import base
from ironic_multiarch import safety
from ironic_multiarch import settings as settings_mod


def _fail(option, problem, example):
    raise exception.ConfigError('%s: %s. Example: %s' % (option, problem,
                                                         example))


def _arch_settings(conf, profile):
    group_name = arch_group.group_name(profile.name)
    group = conf[group_name]
    if group.boot_method:
        try:
            profile.method(group.boot_method)
        except KeyError:
            names = [m.name for m in tuple(profile.methods)
                     + tuple(profile.optional_methods)]
            _fail('[%s]boot_method' % group_name,
                  'no boot method %r; %s has: %s'
                  % (group.boot_method, profile.name, ', '.join(names)),
                  names[-1])
    for method_name, loader_name in group.loaders.items():
        option = '[%s]loaders' % group_name
        try:
            method = profile.method(method_name)
        except KeyError:
            _fail(option, 'no boot method %r; %s has: %s'
                  % (method_name, profile.name,
                     ', '.join(m.name for m in profile.methods)),
                  '%s:%s' % (profile.methods[0].name,
                             profile.methods[0].loaders[0].name))
        if loader_name not in method.loader_names:
            _fail(option, 'loader %r cannot boot %s %s; choose one of %s'
                  % (loader_name, profile.name, method_name,
                     ', '.join(method.loader_names)),
                  '%s:%s' % (method_name, method.loader_names[0]))
    templates = {}
    for fmt, path in group.config_templates.items():
        option = '[%s]config_templates' % group_name
        if fmt not in base.FORMATS:
            _fail(option, 'unknown config format %r (known: %s)'
                  % (fmt, ', '.join(base.FORMATS)), 'grub:/etc/grub.j2')
        try:
            with open(path, encoding='utf-8') as f:
                templates[fmt] = f.read()
        except OSError as exc:
            _fail(option, 'cannot read the %s template %s: %s'
                  % (fmt, path, exc.strerror), '%s:/etc/ironic/%s.j2'
                  % (fmt, fmt))
    images = {role: getattr(group, role) for role in
              ('deploy_kernel', 'deploy_ramdisk', 'rescue_kernel',
               'rescue_ramdisk') if getattr(group, role)}
    return settings_mod.ArchSettings(
        images=settings_mod.frozen(images),
        kernel_append_params=group.kernel_append_params,
        console=group.console,
        loaders=settings_mod.frozen(group.loaders),
        loader_paths=settings_mod.frozen(group.loader_paths),
        templates=settings_mod.frozen(templates),
        boot_method=group.boot_method or None)


def build_settings(conf, profiles, ironic=None, tftp_server=None,
                   http_url=None, my_ipv6=None):
    """Build the planner settings from registered options.

    :param conf: ``ConfigOpts`` with the plugin's options registered.
    :param profiles: canonical name -> installed profile.
    :param ironic: :class:`~ironic_multiarch.settings.IronicOptions`.
    :param tftp_server: Ironic's ``[pxe]tftp_server``.
    :param http_url: Ironic's ``[deploy]http_url``.
    :param my_ipv6: Ironic's ``[DEFAULT]my_ipv6`` (the TFTP host of
        DHCPv6 boot URLs when set).
    :returns: :class:`~ironic_multiarch.settings.Settings`.
    :raises ConfigError: on any inconsistent setting.
    """
    group = conf[multiarch.GROUP]
    installed = ', '.join(sorted(profiles))
    enabled = []
    for name in group.enabled_architectures:
        if name not in profiles:
            _fail('[multiarch]enabled_architectures',
                  'no architecture profile %r is installed (installed: %s)'
                  % (name, installed), ','.join(sorted(profiles)))
        if name not in enabled:
            enabled.append(name)
    aliases = {}
    for alias, target in group.arch_aliases.items():
        if target not in profiles:
            _fail('[multiarch]arch_aliases', 'alias %r points to %r, which '
                  'is not an installed profile (installed: %s)'
                  % (alias, target, installed), 'armv8:aarch64')
        aliases[alias.lower()] = target
    for name in enabled:
        aliases.update({a: name for a in profiles[name].aliases})
    default_arch = None
    if group.default_arch:
        try:
            default_arch = arch_mod.normalize(group.default_arch, enabled,
                                              aliases)
        except ValueError as exc:
            _fail('[multiarch]default_arch', str(exc), 'x86_64')
    if group.global_options_arch and (
            group.global_options_arch not in profiles):
        _fail('[multiarch]global_options_arch', '%r is not an installed '
              'profile (installed: %s)' % (group.global_options_arch,
                                          installed), 'x86_64')
    try:
        safety.file_name(group.loader_dir, None, None,
                         '[multiarch]loader_dir')
    except exception.UnsafeValue:
        _fail('[multiarch]loader_dir', 'must be a plain directory name',
              'multiarch')
    return settings_mod.Settings(
        enabled=tuple(enabled), default_arch=default_arch,
        global_options_arch=group.global_options_arch or None,
        aliases=settings_mod.frozen(aliases),
        arch=settings_mod.frozen({name: _arch_settings(conf, profiles[name])
                                  for name in enabled}),
        ironic=ironic or settings_mod.IronicOptions(),
        tftp_server=tftp_server, http_url=http_url, my_ipv6=my_ipv6 or None,
        loader_dir=group.loader_dir, grub_http=group.grub_http_delivery,
        menu_timeout=group.menu_timeout)
