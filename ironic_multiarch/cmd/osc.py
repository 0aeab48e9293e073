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

"""OpenStackClient plugin: ``openstack baremetal multiarch ...``.

Installed with the ``osc`` extra. The command classes are thin wrappers:
they add the same arguments and run the same functions as the
``ironic-multiarch`` console script, on OSC's openstacksdk connection.
"""

import argparse
import logging
import sys

LOG = logging.getLogger(__name__)

API_NAME = 'baremetal_multiarch'
API_VERSION_OPTION = 'os_baremetal_multiarch_api_version'
DEFAULT_API_VERSION = '1'
API_VERSIONS = {'1': 'ironic_multiarch.cmd.osc'}


def make_client(instance):
    """Return the client of this plugin: OSC's openstacksdk connection."""
    return instance.sdk_connection


def build_option_parser(parser):
    """Add this plugin's global option (its API version) to OSC."""
    parser.add_argument('--os-baremetal-multiarch-api-version',
                        metavar='<version>', default=DEFAULT_API_VERSION,
                        help=argparse.SUPPRESS)
    return parser


def _command(name):
    from osc_lib.command import command

    from ironic_multiarch.cmd import main

    module, help_text, _cloud = main.COMMANDS[name]

    class MultiarchCommand(command.Command):
        __doc__ = help_text
        #: authenticate only when the command reaches the API (offline
        #: plan, dnsmasq and doctor need no cloud).
        auth_required = False

        def get_parser(self, prog_name):
            parser = super().get_parser(prog_name)
            module.add_arguments(parser)
            return parser

        def _connect(self):
            # As OSC's prepare_to_run_command does for commands that
            # require auth; done here so that offline commands need none.
            from ironic_multiarch.cmd import common

            app, manager = self.app, self.app.client_manager
            try:
                if not getattr(manager, '_auth_setup_completed', False):
                    manager._cli_options = app.cloud_config.get_one(
                        cloud=app.options.cloud, argparse=app.options,
                        validate=True, app_name=manager._app_name,
                        app_version=manager._app_version)
                manager.setup_auth()
            except Exception as exc:  # noqa: OSC raises many kinds
                raise common.UsageError(
                    'cannot configure the cloud connection: %s' % exc)
            return manager.sdk_connection

        def take_action(self, parsed_args):
            return main.run_command(
                name, parsed_args,
                self._connect,
                sys.stdout, sys.stderr,
                command='openstack baremetal multiarch %s' % name)

    MultiarchCommand.__name__ = '%sCommand' % name.capitalize()
    return MultiarchCommand


class Plan(_command('plan')):
    """Show how a node boots and where each value comes from."""


class Audit(_command('audit')):
    """Check every node of the fleet; exit 1 on problems."""


class Dnsmasq(_command('dnsmasq')):
    """Print a dnsmasq configuration for nodes Ironic does not know yet."""


class Doctor(_command('doctor')):
    """Check this conductor host against ironic.conf; exit 1 on failure."""
