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

"""The ``ironic-multiarch`` command: plan, audit, dnsmasq, doctor.

Exit status: 0 everything is fine; 1 problems were found, a check failed
or the node cannot be planned; 2 wrong usage, unreadable configuration,
unreachable API or no such node.
"""

import argparse
import sys

from ironic_multiarch.cmd import audit
from ironic_multiarch.cmd import common
from ironic_multiarch.cmd import dnsmasq
from ironic_multiarch.cmd import doctor
from ironic_multiarch.cmd import plan
from ironic_multiarch import exception

#: command -> (module, help, needs the Bare Metal API)
COMMANDS = {
    'plan': (plan, 'Show how a node boots and where each value comes '
                   'from.', True),
    'audit': (audit, 'Check every node of the fleet; exit 1 on problems.',
              True),
    'dnsmasq': (dnsmasq, 'Print a dnsmasq configuration for nodes Ironic '
                         'does not know yet.', False),
    'doctor': (doctor, 'Check this conductor host against ironic.conf; '
                       'exit 1 on a failure.', False),
}


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors exit with status 2."""

    def error(self, message):
        # One line: the usage of every openstacksdk option would bury it.
        self.exit(common.EXIT_USAGE, '%s: error: %s (see %s --help)\n'
                  % (self.prog, message, self.prog))


def build_parser(argv=()):
    """Return the argument parser.

    :param argv: the command line; openstacksdk picks the options of the
        authentication type it names.
    """
    parser = _Parser(
        prog='ironic-multiarch',
        description='Per-architecture network boot for Ironic: plan, '
                    'audit, dnsmasq, doctor.',
        epilog='Exit status: 0 ok, 1 problems found or plan failed, 2 '
               'usage or configuration error.')
    subs = parser.add_subparsers(dest='command', metavar='COMMAND',
                                 parser_class=_Parser)
    subs.required = True
    for name, (module, help_text, cloud) in COMMANDS.items():
        sub = subs.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(sub)
        if cloud:
            common.add_cloud_arguments(sub, list(argv))
    return parser


def main(argv=None, out=None, err=None):
    """Entry point of the console script.

    :param argv: arguments (default ``sys.argv[1:]``).
    :returns: exit status.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        parser = build_parser(argv)
    except common.UsageError as exc:
        err.write('ironic-multiarch: error: %s\n' % exc)
        return common.EXIT_USAGE
    args = parser.parse_args(argv)
    return run_command(args.command, args, lambda: common.connect(args),
                       out, err, 'ironic-multiarch %s' % ' '.join(argv))


def run_command(name, args, connect, out=None, err=None, command=None):
    """Run one command and turn its errors into exit statuses.

    Shared by the console script and the OSC plugin.

    :param name: ``plan``, ``audit``, ``dnsmasq`` or ``doctor``.
    :param args: parsed arguments.
    :param connect: callable returning an openstacksdk connection.
    :param command: the command line, for ``dnsmasq``'s header.
    :returns: exit status.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    module = COMMANDS[name][0]
    try:
        if module is dnsmasq:
            return module.run(args, connect, out, err, command=command)
        return module.run(args, connect, out, err)
    except (common.UsageError, exception.ConfigError,
            exception.ProfileLoadError) as exc:
        err.write('ironic-multiarch %s: error: %s\n' % (name, exc))
        return common.EXIT_USAGE
    except RuntimeError as exc:
        err.write('ironic-multiarch %s: error: %s\n' % (name, exc))
        return common.EXIT_PROBLEMS

if __name__ == '__main__':
    sys.exit(main())
