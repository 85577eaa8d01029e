"""养老服务 models: ability assessment (老年人能力评估), consumption vouchers (养老服务消费券) and care homes."""

from eldercare.models.assessment import (  # noqa: F401
    AbilityDimension,
    AbilityItem,
    AbilityLevelBand,
    AbilityStandard,
    Assessment,
    CareLevelMapping,
)
from eldercare.models.homes import (  # noqa: F401
    CareHome,
    CareHomeMonthlyReport,
    CareHomeResident,
    Hazard,
    HomeAdaptation,
    HomeAdaptationStep,
    SafetyCheck,
    SafetyChecklistItem,
    TimeBankEntry,
)
from eldercare.models.homeservices import (  # noqa: F401
    ServiceDelivery,
    ServiceItem,
    ServiceOrder,
    ServiceProvider,
    ServiceTarget,
)
from eldercare.models.vouchers import Voucher, VoucherRedemption  # noqa: F401
