"""The speed control of the run toolbar: a chooser of ``pace.PACES`` that sets the run
controller's pace, during a run too (the worker follows it from its next chunk)."""
from PySide6.QtWidgets import QComboBox, QLabel

from .pace import PACES


class PaceBox(QComboBox):
    def __init__(self, run_controller, parent=None):
        super().__init__(parent)
        self.run = run_controller
        for label, value in PACES:
            self.addItem(label, value)
        self.setObjectName("pace")
        self.setToolTip("How fast simulated time goes by: real time (1 s of model time per second), "
                        "slow motion (0.1x, 0.01x) or as fast as the machine can; "
                        "can be changed while the network runs")
        self.setCurrentIndex(self.findData(run_controller.pace) if run_controller.pace is not None
                             else len(PACES) - 1)
        self.currentIndexChanged.connect(lambda _i: self.run.set_pace(self.currentData()))

    def set_pace(self, pace):
        """Choose ``pace`` (a value of ``PACES``) as a user would."""
        index = next(i for i, (_label, value) in enumerate(PACES) if value == pace)
        self.setCurrentIndex(index)
        self.run.set_pace(pace)


def add_pace_control(toolbar, run_controller):
    toolbar.addSeparator()
    toolbar.addWidget(QLabel(" Speed "))
    box = PaceBox(run_controller)
    toolbar.addWidget(box)
    return box
