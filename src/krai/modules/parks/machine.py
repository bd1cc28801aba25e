"""The parks state machine: its handlers, who may submit each, and what each reads."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from krai.modules.parks import messages as m
from krai.modules.parks.model import Role, park_key
from krai.modules.parks.rules import agreements, capacity, land, residents, support, territory
from krai.state.engine import ANY_ORGANISATION, Handler, handler

OFFICIALS = frozenset({Role.AUTHORITY, Role.GOVERNOR})
OPERATOR = frozenset({Role.PARK_OPERATOR})
OPERATOR_OR_ATTESTOR = frozenset({Role.PARK_OPERATOR, Role.ATTESTOR})
ENTRANTS = frozenset({Role.RESIDENT, Role.INVESTOR})


class ParksModule:
    """The park registry state machine."""

    name = "parks"

    def references(self) -> Mapping[str, Callable[[str], str]]:
        """Other modules may name a registered park (``ctx.require_reference("park", id)``)."""
        return {"park": park_key}

    def handlers(self) -> Sequence[Handler[Any]]:
        """Every park registry transaction, with who may submit it."""
        return [
            *self._territory(),
            *self._land_and_capacity(),
            *self._residents(),
            *self._agreements_and_support(),
        ]

    def _territory(self) -> list[Handler[Any]]:
        return [
            handler(
                m.RegisterRegion,
                frozenset({Role.GOVERNOR}),
                territory.apply_region,
                territory.validate_region,
                summary="Register a region (federal subject code or ISO 3166-2, names, time zone)",
            ),
            handler(
                m.RegisterCluster,
                OFFICIALS,
                territory.apply_cluster,
                territory.validate_cluster,
                territory.check_cluster,
                summary="Register a cluster over regions with its value chain",
            ),
            handler(
                m.ChangeClusterStatus,
                OFFICIALS,
                territory.apply_cluster_status,
                territory.validate_cluster_status,
                summary="Move a cluster along its lifecycle as of a date (its coordinator)",
            ),
            handler(
                m.AddClusterMember,
                OFFICIALS,
                territory.apply_cluster_member,
                territory.validate_cluster_member,
                territory.check_cluster_member,
                summary="Add a park or an organisation to a cluster's value-chain stage",
            ),
            handler(
                m.RegisterPark,
                OPERATOR,
                territory.apply_park,
                territory.validate_park,
                summary="Register a park, planned, that the signer operates",
            ),
            handler(
                m.ChangeParkStatus,
                OPERATOR | OFFICIALS,
                territory.apply_park_status,
                territory.validate_park_status,
                summary="Move a park along its lifecycle (recognition by an authority)",
            ),
            handler(
                m.StateParkFacts,
                OPERATOR_OR_ATTESTOR,
                territory.apply_facts,
                territory.validate_facts,
                territory.check_facts,
                summary="State facts about a park from a source as of a date",
            ),
        ]

    def _land_and_capacity(self) -> list[Handler[Any]]:
        return [
            handler(
                m.RegisterSite,
                OPERATOR,
                land.apply_site,
                land.validate_site,
                summary="Register a plot by cadastral number",
            ),
            handler(
                m.ChangeSiteStatus,
                OPERATOR,
                land.apply_site_status,
                land.validate_site_status,
                land.check_site_status,
                summary="Reserve, lease, sell, free or withdraw a plot",
            ),
            handler(
                m.RegisterInfrastructure,
                OPERATOR_OR_ATTESTOR,
                capacity.apply_infrastructure,
                capacity.validate_infrastructure,
                capacity.check_infrastructure,
                summary="Register an infrastructure object with its capacity timeline",
            ),
            handler(
                m.SetCapacity,
                OPERATOR_OR_ATTESTOR,
                capacity.apply_capacity,
                capacity.validate_capacity,
                capacity.check_capacity,
                summary="Set one step of a capacity timeline",
            ),
            handler(
                m.AllocatePower,
                OPERATOR,
                capacity.apply_allocation,
                capacity.validate_allocation,
                capacity.check_allocation,
                summary="Allocate power to a resident within the capacity of every date",
            ),
            handler(
                m.ReleasePower,
                OPERATOR,
                capacity.apply_release,
                capacity.validate_release,
                summary="End a power allocation from a date",
            ),
        ]

    def _residents(self) -> list[Handler[Any]]:
        return [
            handler(
                m.ApplyForResidency,
                ENTRANTS,
                residents.apply_application,
                residents.validate_application,
                summary="State an intention to become a resident, or apply",
            ),
            handler(
                m.ConcludeResidentAgreement,
                OPERATOR,
                residents.apply_agreement,
                residents.validate_agreement,
                residents.check_agreement,
                summary="Conclude a resident agreement with investment and job milestones",
            ),
            handler(
                m.ChangeResidentStatus,
                OPERATOR | ENTRANTS,
                residents.apply_resident_status,
                residents.validate_resident_status,
                summary="Move a residency along its lifecycle",
            ),
            handler(
                m.ReportActuals,
                ENTRANTS,
                residents.apply_actuals,
                residents.validate_actuals,
                summary="Report a quarter's investment and jobs",
            ),
            handler(
                m.ReviewCommitments,
                OPERATOR | OFFICIALS | {Role.AUDITOR},
                residents.apply_review,
                residents.validate_review,
                summary="Assess a resident's overdue milestones",
            ),
        ]

    def _agreements_and_support(self) -> list[Handler[Any]]:
        return [
            handler(
                m.ProposeAgreement,
                ANY_ORGANISATION,
                agreements.apply_proposal,
                agreements.validate_proposal,
                agreements.check_proposal,
                summary="Propose and sign an agreement among several parties",
            ),
            handler(
                m.SignAgreement,
                ANY_ORGANISATION,
                agreements.apply_signature,
                agreements.validate_signature,
                summary="Sign an agreement as a party",
            ),
            handler(
                m.TerminateAgreement,
                ANY_ORGANISATION,
                agreements.apply_termination,
                agreements.validate_termination,
                summary="Terminate an agreement as a party",
            ),
            handler(
                m.GrantSupport,
                OFFICIALS,
                support.apply_support,
                support.validate_support,
                support.check_support,
                summary="Grant a support measure (warns on double support)",
            ),
            handler(
                m.SetRegionalTarget,
                OFFICIALS,
                support.apply_target,
                support.validate_target,
                support.check_target,
                summary="Set a regional target by a date",
            ),
            handler(
                m.ReportIndicator,
                OFFICIALS | {Role.ATTESTOR},
                support.apply_indicator,
                support.validate_indicator,
                summary="Report an indicator towards a target",
            ),
        ]
