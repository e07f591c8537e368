"""scikit-learn's own estimator checks on nnlab's MLPClassifier and MLPRegressor.

The checked instances are configured as scikit-learn configures its own MLPs for these checks
(``max_iter=100`` in sklearn/utils/_test_common/instance_generator.py); defaults are unchanged.
"""
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from nnlab.estimators import MLPClassifier, MLPRegressor

CHECKED = [MLPClassifier(max_iter=100), MLPRegressor(max_iter=100)]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(CHECKED)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
