"""How the paper-reproduction benchmarks train their black-box nets.

The papers trained their black boxes for a fixed number of epochs at a
constant learning rate on raw inputs. The library's nets now default to early
stopping on a 10 % validation split, a cosine learning-rate decay to zero and
per-channel input standardisation inside the module; with the small, explicit
``max_epochs`` of these benchmarks those defaults learn less (a GRU(32) on an
Ismail set fitted for 20 epochs drops from 1.00 to 0.59 test accuracy) and
change which model is explained. Every benchmark that reproduces a paper's
figure passes ``**PAPER_TRAINING`` to each net it builds, so its printed figures
stay comparable with the figures in its docstring.
"""

PAPER_TRAINING = dict(early_stopping=False, lr_schedule="constant", input_scaling=None)
