"""The platform's own text-embedding reference: weights read with numpy, a BERT forward pass of
its own, the model archive it serves, the real sentences it sends, and the check of a result.

None of it uses the runner, PyTorch or transformers: a result is checked by code that shares
nothing with the code that made it but the tokenizer (the ``tokenizers`` library). Modules:
:mod:`.safetensors_np` (weights file), :mod:`.bert_math` and :mod:`.bert_weights` (the pieces
of the pass), :mod:`.reference` (:class:`~.reference.ReferenceEncoder`), :mod:`.corpus` (real
sentences), :mod:`.archive` (the ``hf-folder-tar`` it serves), :mod:`.npz_result`,
:mod:`.result_rules` and :mod:`.verify` (the check of an uploaded result). Importing this
package imports nothing; numpy and ``tokenizers`` are needed by the modules that use them.
"""
