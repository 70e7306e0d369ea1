"""Standard synapse types (ANNarchy 4.8 names, parameters and defaults).

Rate-coded: ``Hebb``, ``Oja``, ``IBCM``; spiking: ``STP`` (Tsodyks-Markram
short-term plasticity) and ``STDP`` (online pair-based STDP with traces).
Each is a plain :class:`~annstudio.core.model.Synapse` built from its
keyword arguments.
"""
from annstudio.core.model.types import Synapse

from .neurons import register

SYNAPSES = {}


@register(SYNAPSES)
class Hebb(Synapse):
    """Hebbian rule: ``dw/dt = eta * pre.r * post.r``."""

    def __init__(self, eta=0.01):
        super().__init__(
            parameters=f"eta = {float(eta)!r} : projection",
            equations="dw/dt = eta * pre.r * post.r",
            name="Hebb", description="Rate-coded Hebbian learning rule.")


@register(SYNAPSES)
class Oja(Synapse):
    """Oja's rule: ``dw/dt = eta * (pre.r * post.r - alpha * post.r^2 * w)``."""

    def __init__(self, eta=0.01, alpha=1.0):
        super().__init__(
            parameters=f"""
                eta = {float(eta)!r} : projection
                alpha = {float(alpha)!r} : projection
            """,
            equations="dw/dt = eta * (pre.r * post.r - alpha * post.r^2 * w)",
            name="Oja", description="Rate-coded Oja learning rule (normalised Hebbian learning).")


@register(SYNAPSES)
class IBCM(Synapse):
    """Intrator & Cooper BCM rule with a sliding threshold ``theta`` (mean of ``post.r^2``)."""

    def __init__(self, eta=0.01, tau=2000.0):
        super().__init__(
            parameters=f"""
                eta = {float(eta)!r} : projection
                tau = {float(tau)!r} : projection
            """,
            equations="""
                tau * dtheta/dt + theta = post.r^2 : postsynaptic, exponential
                dw/dt = eta * post.r * (post.r - theta) * pre.r : min = 0.0, explicit
            """,
            psp="w * pre.r",
            name="IBCM", description="Rate-coded Intrator & Cooper BCM learning rule.")


@register(SYNAPSES)
class STP(Synapse):
    """Tsodyks-Markram short-term plasticity: resources ``x`` recover with ``tau_rec``, utilisation ``u``
    relaxes to ``U`` with ``tau_facil``; each spike transmits ``w * u * x``."""

    def __init__(self, tau_rec=100.0, tau_facil=0.01, U=0.5):
        super().__init__(
            parameters=f"""
                tau_rec = {float(tau_rec)!r} : projection
                tau_facil = {float(tau_facil)!r} : projection
                U = {float(U)!r}
            """,
            equations=f"""
                dx/dt = (1 - x) / tau_rec : init = 1.0, event-driven
                du/dt = (U - u) / tau_facil : init = {float(U)!r}, event-driven
            """,
            pre_spike="""
                g_target += w * u * x
                x *= (1 - u)
                u += U * (1 - u)
            """,
            name="STP", description="Synapse with short-term depression and facilitation (Tsodyks-Markram).")


@register(SYNAPSES)
class STDP(Synapse):
    """Online pair-based STDP: a pre trace ``x`` (potentiation) and a post trace ``y`` (depression),
    weights clipped to ``[w_min, w_max]``."""

    def __init__(self, tau_plus=20.0, tau_minus=20.0, A_plus=0.01, A_minus=0.01, w_min=0.0, w_max=1.0):
        super().__init__(
            parameters=f"""
                tau_plus = {float(tau_plus)!r} : projection
                tau_minus = {float(tau_minus)!r} : projection
                A_plus = {float(A_plus)!r} : projection
                A_minus = {float(A_minus)!r} : projection
                w_min = {float(w_min)!r} : projection
                w_max = {float(w_max)!r} : projection
            """,
            equations="""
                tau_plus * dx/dt = -x : event-driven
                tau_minus * dy/dt = -y : event-driven
            """,
            pre_spike="""
                g_target += w
                x += A_plus * w_max
                w = clip(w + y, w_min, w_max)
            """,
            post_spike="""
                y -= A_minus * w_max
                w = clip(w + x, w_min, w_max)
            """,
            name="STDP", description="Spike-timing dependent plasticity with online traces.")


__all__ = ["SYNAPSES"] + list(SYNAPSES)
