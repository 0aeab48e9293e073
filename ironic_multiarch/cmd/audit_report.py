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

"""What ``audit`` found, and how it is printed (table or JSON)."""

import dataclasses

from ironic_multiarch.cmd import common

#: Label of problems of the configuration, not of a node.
CONFIG_LABEL = '(ironic.conf)'


@dataclasses.dataclass(frozen=True)
class Problem:
    """Something that stops a node from booting right."""

    node: str
    name: object
    code: str
    message: str

    def as_dict(self):
        """Plain-data form."""
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Report:
    """The result of an audit.

    :param summary: ``(arch, boot mode, interface)`` -> ``[nodes,
        nodes with problems]``.
    :param groups: conductor group (``''``: none) -> ``[nodes, nodes
        with problems]``.
    :param problems: list of :class:`Problem`, by node then code.
    :param notes: remarks on what could not be checked.
    """

    summary: dict
    problems: list
    notes: list
    nodes: int = 0
    ports: int = 0
    groups: dict = dataclasses.field(default_factory=dict)

    def as_dict(self):
        """Plain-data form (the JSON output)."""
        return {
            'nodes': self.nodes, 'ports': self.ports,
            'summary': [{'arch': a, 'boot_mode': b, 'interface': i,
                         'nodes': n, 'with_problems': p}
                        for (a, b, i), (n, p) in sorted(self.summary.items())],
            'conductor_groups': [
                {'conductor_group': g, 'nodes': n, 'with_problems': p}
                for g, (n, p) in sorted(self.groups.items())],
            'problems': [p.as_dict() for p in self.problems],
            'notes': list(self.notes)}


def render(report, fmt='table'):
    """Return the text ``audit`` prints for a report."""
    if fmt == 'json':
        return common.format_json(report.as_dict())
    text = common.format_table(
        ('ARCH', 'BOOT MODE', 'INTERFACE', 'NODES', 'WITH PROBLEMS'),
        [(a, b, i, n, p) for (a, b, i), (n, p)
         in sorted(report.summary.items())])
    if any(report.groups):
        text += '\n' + common.format_table(
            ('CONDUCTOR GROUP', 'NODES', 'WITH PROBLEMS'),
            [(g or '(none)', n, p) for g, (n, p)
             in sorted(report.groups.items())])
    text += '\n%d nodes, %d ports, %d problems\n' % (
        report.nodes, report.ports, len(report.problems))
    if report.problems:
        text += '\n' + common.format_table(
            ('NODE', 'PROBLEM', 'DETAILS'),
            [(p.name or p.node or CONFIG_LABEL, p.code, p.message)
             for p in report.problems])
    for note in report.notes:
        text += 'note: %s\n' % note
    return text
