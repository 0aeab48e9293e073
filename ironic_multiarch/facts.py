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

"""Node fields (as the API returns them) -> :class:`~ironic_multiarch.plan.NodeFacts`.

Shared by the driver and the CLI so both plan from the same facts. Only
plain data comes in: dicts and lists as Ironic's objects or openstacksdk
return them.
"""

import json

from ironic_multiarch import plan

BOOT_INTERFACE_IPXE = ('multiarch-ipxe', 'ipxe', 'multiarch-http-ipxe',
                       'http-ipxe')
#: Boot interfaces whose firmware boots over UEFI HTTP.
BOOT_INTERFACE_HTTP = ('multiarch-http', 'multiarch-http-ipxe', 'http',
                       'http-ipxe')
#: driver_info keys the planner reads.
DRIVER_INFO_KEYS = ('deploy_kernel', 'deploy_ramdisk', 'rescue_kernel',
                    'rescue_ramdisk', 'kernel_append_params')
#: instance_info keys the planner reads.
INSTANCE_INFO_KEYS = ('kernel', 'ramdisk', 'kernel_append_params',
                      'ramdisk_kernel_arguments')
#: keys whose empty value is still a value: Ironic tests ``is not None``
#: (an empty ``kernel_append_params`` means no arguments).
_EMPTY_IS_SET = ('kernel_append_params',)


def _relevant(info, keys):
    """The keys of ``info`` the planner reads, without unset values."""
    return {k: info[k] for k in keys
            if info.get(k) is not None
            and (info[k] != '' or k in _EMPTY_IS_SET)}


def parse_capabilities(value):
    """Parse Ironic capabilities (``"a:b,c:d"`` or a dict) into a dict."""
    if isinstance(value, dict):
        return dict(value)
    caps = {}
    for item in (value or '').split(','):
        key, sep, val = item.partition(':')
        if sep and key.strip():
            caps[key.strip()] = val.strip()
    return caps


def _instance_capabilities(instance_info):
    """``instance_info/capabilities``: a dict or, as Nova sends it, JSON."""
    value = (instance_info or {}).get('capabilities')
    if isinstance(value, str) and value.strip().startswith('{'):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return parse_capabilities(value) if isinstance(value, (dict, str)) else {}


def secure_boot_requested(instance_info):
    """Whether the node asks for UEFI Secure Boot, as Ironic reads it.

    Ironic's ``boot_mode_utils.is_secure_boot_requested`` reads only
    ``instance_info/capabilities`` ``secure_boot``; the node's own
    ``properties/capabilities`` ``secure_boot:true`` says what the
    hardware can do, not what this deployment asks for.
    """
    value = _instance_capabilities(instance_info).get('secure_boot', '')
    return str(value).lower() == 'true'


def boot_mode(properties, instance_info, driver_internal_info=None,
              default='uefi'):
    """The boot mode Ironic uses for a node, in Ironic's own order.

    Secure boot requested in ``instance_info/capabilities`` forces
    ``uefi``; then the instance's ``boot_mode`` capability,
    ``instance_info/deploy_boot_mode``, the node's ``boot_mode``
    capability, ``driver_internal_info/deploy_boot_mode`` and finally
    ``[deploy]default_boot_mode``.
    """
    props_caps = parse_capabilities((properties or {}).get('capabilities'))
    inst_caps = _instance_capabilities(instance_info)
    if str(inst_caps.get('secure_boot', '')).lower() == 'true':
        return 'uefi'
    for value in (inst_caps.get('boot_mode'),
                  (instance_info or {}).get('deploy_boot_mode'),
                  props_caps.get('boot_mode'),
                  (driver_internal_info or {}).get('deploy_boot_mode')):
        if value:
            return str(value).lower()
    return default


def pxe_ports(ports):
    """Return :class:`~ironic_multiarch.plan.Port` tuples of PXE ports.

    :param ports: iterable of dicts with ``address``, ``pxe_enabled`` and
        ``extra`` (``client-id``), sorted here by address so that the same
        ports give the same plan whatever order the API lists them in.
    """
    result = []
    for port in ports:
        if port.get('pxe_enabled', True) is False:
            continue
        extra = port.get('extra') or {}
        result.append(plan.Port((port.get('address') or '').lower(),
                                extra.get('client-id')))
    return tuple(sorted(result, key=lambda p: p.mac))


def node_facts(node, ports, mode=plan.DEPLOY, extra_kernel_params=(),
               default_boot_mode='uefi', resolved_boot_mode=None,
               global_request_id=None):
    """Build the planner's facts from a node's fields.

    :param node: dict with ``uuid``, ``name``, ``properties``,
        ``driver_info``, ``instance_info``, ``boot_interface`` and
        optionally ``driver_internal_info``.
    :param ports: the node's ports (see :func:`pxe_ports`).
    :param mode: ``deploy``, ``rescue`` or ``instance``.
    :param extra_kernel_params: the ramdisk arguments the conductor
        adds (see :func:`ramdisk_kernel_params`).
    :param default_boot_mode: Ironic's ``[deploy]default_boot_mode``.
    :param resolved_boot_mode: the boot mode, when the caller already
        asked Ironic for it (the driver does).
    :param global_request_id: the operation's global request id
        (``task.context.global_id``), or ``None``.
    :returns: :class:`~ironic_multiarch.plan.NodeFacts`.
    """
    properties = node.get('properties') or {}
    instance_info = node.get('instance_info') or {}
    driver_info = node.get('driver_info') or {}
    return plan.NodeFacts(
        uuid=node.get('uuid'), name=node.get('name'),
        cpu_arch=properties.get('cpu_arch'),
        boot_mode=resolved_boot_mode or boot_mode(
            properties, instance_info, node.get('driver_internal_info'),
            default_boot_mode),
        ports=pxe_ports(ports), mode=mode,
        driver_info=_relevant(driver_info, DRIVER_INFO_KEYS),
        instance_info=_relevant(instance_info, INSTANCE_INFO_KEYS),
        ipxe=node.get('boot_interface') in BOOT_INTERFACE_IPXE,
        http_boot=node.get('boot_interface') in BOOT_INTERFACE_HTTP,
        secure_boot=secure_boot_requested(instance_info),
        extra_kernel_params=tuple(extra_kernel_params),
        global_request_id=global_request_id or None)


def ramdisk_kernel_params(ramdisk_params):
    """The ramdisk parameters as kernel arguments, in Ironic's order.

    ``ipa-debug=1`` for ``[DEFAULT]debug`` is not among them: the planner
    adds it before them, as Ironic does, unless the node's arguments
    mention ``ipa-debug`` (see
    :class:`~ironic_multiarch.settings.IronicOptions`).

    :param ramdisk_params: what the deploy interface passes to
        ``prepare_ramdisk`` (``{'ipa-api-url': ...}``); a ``None`` value
        gives a bare flag.
    :returns: tuple of arguments.
    """
    return tuple(key if value is None else '%s=%s' % (key, value)
                 for key, value in (ramdisk_params or {}).items())


def agent_kernel_params(api_url):
    """The arguments Ironic's agent deploy adds: ``ipa-api-url``.

    :param api_url: Ironic API URL the agent calls back.
    """
    return ramdisk_kernel_params({'ipa-api-url': api_url} if api_url else {})
