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

"""Option groups named after the plugin's hardware types.

Some of Ironic's interfaces read an option from the group named after the
node's hardware type rather than from a fixed group: the Redfish
interfaces call ``ironic.drivers.utils.get_verify_ca``, which reads
``[<node.driver>]verify_ca``. A node of ``multiarch-redfish`` therefore
needs a ``[multiarch-redfish]`` group, or validating its power and
management interfaces fails with ``NoSuchOptError``.

Each such option defaults to the same option of the parent hardware
type's group, so what an operator set for ``redfish`` applies to
``multiarch-redfish`` nodes too, unless the operator sets it in the
hardware type's own group.
"""

from oslo_config import cfg

#: Hardware type -> (group of its parent, options Ironic reads from the
#: group named after the hardware type). Types without such options are
#: not listed and get no group.
INHERITED = {
    'multiarch-redfish': ('redfish', ('verify_ca',)),
}

_HELP = {
    'verify_ca': 'The default verify_ca path for %(type)s nodes whose '
                 'driver_info/redfish_verify_ca is unset or true. Defaults '
                 'to [%(parent)s]verify_ca, so a value set there applies to '
                 '%(type)s nodes too; set it here only to give them '
                 'another CA bundle. Used by Ironic releases that have '
                 '[%(parent)s]verify_ca. Example: '
                 '/etc/ssl/certs/bmc-ca.pem.',
}


def opts(hardware_type):
    """Return the options of a hardware type's group.

    :param hardware_type: a key of :data:`INHERITED`.
    :returns: list of ``oslo_config.cfg.Opt``.
    """
    parent, names = INHERITED[hardware_type]
    return [cfg.StrOpt(name, default='${%s.%s}' % (parent, name),
                       help=_HELP[name] % {'type': hardware_type,
                                           'parent': parent})
            for name in names]


def register_opts(conf, hardware_type):
    """Register a hardware type's group on ``conf``, once.

    Called when Ironic loads the hardware type (conductor and API). A
    hardware type not in :data:`INHERITED` needs no group, and an option
    the parent group lacks in the running Ironic is not registered:
    nothing reads it there.

    :param conf: an ``oslo_config.cfg.ConfigOpts`` holding Ironic's options.
    :param hardware_type: the hardware type's entry point name.
    """
    if hardware_type not in INHERITED:
        return
    parent = INHERITED[hardware_type][0]
    # Only what the parent group has: a release without [redfish]verify_ca
    # does not read [<hardware type>]verify_ca either. register_opts
    # clears oslo.config's value cache even when nothing is new: register
    # only what is missing.
    missing = [opt for opt in opts(hardware_type)
               if parent in conf and opt.dest in conf[parent]
               and not (hardware_type in conf
                        and opt.dest in conf[hardware_type])]
    if missing:
        conf.register_opts(missing, group=hardware_type)


def list_opts():
    """Return ``[(group, opts)]`` of every hardware type's group."""
    return [(name, opts(name)) for name in sorted(INHERITED)]
