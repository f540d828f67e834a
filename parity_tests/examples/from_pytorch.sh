#!/usr/bin/env sh
# README, "From PyTorch: a worked example": a trained nn.LSTM(num_layers=2, bidirectional=True) saved as
# a state_dict → a model file → the C# model from the shell and from Python → a report against torch.
# Run from the repository root after `make build`; writes into $WORK (default out/example).
# parity_tests/test_readme_torch_example.py runs this file as it is.
set -eu
WORK=${WORK:-out/example}
mkdir -p "$WORK"
# 1. Your model: here a seeded nn.LSTM (I = 8, H = 32) saved as a state_dict, and 4 input sequences (B, T, I).
/usr/bin/python3 -c "
import numpy as np, torch
torch.manual_seed(0)
lstm = torch.nn.LSTM(8, 32, num_layers=2, bidirectional=True, batch_first=True, dtype=torch.float64)
torch.save(lstm.state_dict(), '$WORK/lstm.pt')
np.save('$WORK/xs.npy', np.random.default_rng(0).normal(size=(4, 200, 8)))
np.save('$WORK/x0.npy', np.load('$WORK/xs.npy')[0])"
# 2. The model file (torch.load with weights_only=True; cell, layers and directions read off the keys).
PYTHONPATH=python /usr/bin/python3 -m rnnport import-torch "$WORK/lstm.pt" --out "$WORK/lstm.npz"
# 3. The C# model on one sequence (T, I), from the shell: ys (T, O) with O = 2·32.
dotnet dotnet/src/RnnPort.Cli/bin/Release/net10.0/rnnport-cli.dll forward --model "$WORK/lstm.npz" --inputs "$WORK/x0.npy" --out "$WORK/ys.npy"
# 4. The same C# model called from Python (through the .NET host), against the shell's result.
dotnet/pyhost -c "
import numpy as np
from rnnport.dotnet.model_file import load_model
stack = load_model('$WORK/lstm.npz').model
ys, h_n, c_n = stack.forward(np.load('$WORK/x0.npy'))
print(type(stack).__name__, ys.shape, h_n.shape, 'same as rnnport-cli:', np.array_equal(ys, np.load('$WORK/ys.npy')))"
# 5. NumPy, C# and torch three ways, per layer and direction, on the batch in torch's batch_first layout.
dotnet/pyhost -m rnnport verify --reference torch --model "$WORK/lstm.npz" --inputs "$WORK/xs.npy" --batch-first --rows 4 --plot "$WORK/verify.png"
