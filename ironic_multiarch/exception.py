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

"""Exceptions raised by the planner, the profile loader and the settings.

Every error an operator can meet names the node, the architecture, the
option to set and an example value, so that ``openstack baremetal node
validate`` tells what to do instead of just what went wrong.
"""


class MultiarchError(Exception):
    """Base class of every error this project raises."""


class ProfileLoadError(MultiarchError):
    """An architecture profile entry point could not be loaded."""


class ConfigError(MultiarchError):
    """A plugin setting is malformed or inconsistent (raised at load time)."""


class PlanError(MultiarchError):
    """A node cannot be planned as it stands.

    :param problem: what is wrong, in one sentence without a final period.
    :param node: the node UUID or name, if known.
    :param arch: the architecture, canonical or as given.
    :param option: the option or node field that fixes it.
    :param example: an example value for ``option``.
    """

    #: whether the fix is a missing value (True) or a wrong one (False);
    #: the driver maps it to MissingParameterValue/InvalidParameterValue.
    missing = False

    def __init__(self, problem, node=None, arch=None, option=None,
                 example=None):
        self.problem = problem
        self.node = node
        self.arch = arch
        self.option = option
        self.example = example
        super().__init__(self._format())

    def _format(self):
        subject = 'Node %s' % (self.node or '(unknown)')
        if self.arch:
            subject += ' (cpu_arch %s)' % self.arch
        text = '%s: %s.' % (subject, self.problem)
        if self.option:
            text += ' Set %s' % self.option
            if self.example is not None:
                text += ', for example %s' % self.example
            text += '.'
        return text


class MissingSetting(PlanError):
    """A value the plan needs is set nowhere."""

    missing = True


class InvalidSetting(PlanError):
    """A value is set but cannot be used for this node."""


class UnsafeValue(InvalidSetting):
    """A value would change the structure of a boot file or leave a root."""
