"""Facts established by park registry transactions."""

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class RegionRegistered:
    NAME: ClassVar[str] = "parks.RegionRegistered"
    region_id: str


@dataclass(frozen=True)
class ClusterRegistered:
    NAME: ClassVar[str] = "parks.ClusterRegistered"
    cluster_id: str
    regions: tuple[str, ...]


@dataclass(frozen=True)
class ClusterStatusChanged:
    NAME: ClassVar[str] = "parks.ClusterStatusChanged"
    cluster_id: str
    from_status: str | None
    to_status: str
    on: str


@dataclass(frozen=True)
class ClusterMemberAdded:
    NAME: ClassVar[str] = "parks.ClusterMemberAdded"
    cluster_id: str
    stage_id: str
    member: str


@dataclass(frozen=True)
class ParkRegistered:
    NAME: ClassVar[str] = "parks.ParkRegistered"
    park_id: str
    operator: str


@dataclass(frozen=True)
class ParkStatusChanged:
    NAME: ClassVar[str] = "parks.ParkStatusChanged"
    park_id: str
    previous: str
    status: str


@dataclass(frozen=True)
class ParkFactsStated:
    NAME: ClassVar[str] = "parks.ParkFactsStated"
    park_id: str
    names: tuple[str, ...]
    as_of: str


@dataclass(frozen=True)
class SiteRegistered:
    NAME: ClassVar[str] = "parks.SiteRegistered"
    park_id: str
    cadastral_number: str
    area_m2: int


@dataclass(frozen=True)
class SiteStatusChanged:
    NAME: ClassVar[str] = "parks.SiteStatusChanged"
    cadastral_number: str
    previous: str
    status: str
    resident_inn: str | None


@dataclass(frozen=True)
class InfrastructureRegistered:
    NAME: ClassVar[str] = "parks.InfrastructureRegistered"
    park_id: str
    object_id: str
    kind: str


@dataclass(frozen=True)
class CapacitySet:
    NAME: ClassVar[str] = "parks.CapacitySet"
    park_id: str
    object_id: str
    from_date: str
    capacity: int | None
    unit: str


@dataclass(frozen=True)
class ResidencyApplied:
    NAME: ClassVar[str] = "parks.ResidencyApplied"
    park_id: str
    resident_inn: str
    stage: str


@dataclass(frozen=True)
class ResidentAgreementConcluded:
    NAME: ClassVar[str] = "parks.ResidentAgreementConcluded"
    park_id: str
    resident_inn: str
    investment_kopecks: int
    jobs: int


@dataclass(frozen=True)
class ResidentStatusChanged:
    NAME: ClassVar[str] = "parks.ResidentStatusChanged"
    park_id: str
    resident_inn: str
    previous: str
    status: str


@dataclass(frozen=True)
class PowerAllocated:
    NAME: ClassVar[str] = "parks.PowerAllocated"
    park_id: str
    allocation_id: str
    resident_inn: str
    power_kw: int
    from_date: str


@dataclass(frozen=True)
class PowerReleased:
    NAME: ClassVar[str] = "parks.PowerReleased"
    park_id: str
    allocation_id: str
    from_date: str


@dataclass(frozen=True)
class ActualsReported:
    NAME: ClassVar[str] = "parks.ActualsReported"
    park_id: str
    resident_inn: str
    quarter: str
    investment_kopecks: int
    jobs: int


@dataclass(frozen=True)
class CommitmentBreached:
    NAME: ClassVar[str] = "parks.CommitmentBreached"
    park_id: str
    resident_inn: str
    due: str
    investment_shortfall_kopecks: int
    jobs_shortfall: int


@dataclass(frozen=True)
class AgreementProposed:
    NAME: ClassVar[str] = "parks.AgreementProposed"
    agreement_id: str
    parties: tuple[str, ...]


@dataclass(frozen=True)
class AgreementSigned:
    NAME: ClassVar[str] = "parks.AgreementSigned"
    agreement_id: str
    by: str
    signatures: int
    parties: int


@dataclass(frozen=True)
class AgreementInForce:
    NAME: ClassVar[str] = "parks.AgreementInForce"
    agreement_id: str


@dataclass(frozen=True)
class AgreementTerminated:
    NAME: ClassVar[str] = "parks.AgreementTerminated"
    agreement_id: str
    by: str


@dataclass(frozen=True)
class SupportGranted:
    NAME: ClassVar[str] = "parks.SupportGranted"
    measure_id: str
    recipient_inn: str
    purpose: str
    by: str


@dataclass(frozen=True)
class SupportOverlapWarned:
    """Two authorities support the same recipient for the same purpose in overlapping periods."""

    NAME: ClassVar[str] = "parks.SupportOverlapWarned"
    measure_id: str
    other_measure_id: str
    recipient_inn: str
    purpose: str
    authorities: tuple[str, ...]


@dataclass(frozen=True)
class RegionalTargetSet:
    NAME: ClassVar[str] = "parks.RegionalTargetSet"
    target_id: str
    region_id: str
    target_value: int
    by_date: str


@dataclass(frozen=True)
class IndicatorReported:
    NAME: ClassVar[str] = "parks.IndicatorReported"
    target_id: str
    as_of: str
    value: int
    progress_basis_points: int
