"""The platform's own text-embedding reference: weights read with numpy, a BERT forward pass of
its own, the model archive it serves, the real sentences it sends, and the check of a result.

None of it uses the runner, PyTorch or transformers: a result is checked by code that shares
nothing with the code that made it but the tokenizer (the ``tokenizers`` library).
"""
